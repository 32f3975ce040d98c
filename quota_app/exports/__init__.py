"""CSV and XLSX exports that open cleanly in Danish Excel and never let a cell start a formula."""
