"""Half-yearly status reports: plain data gathered from the services, and a pure PDF renderer."""
