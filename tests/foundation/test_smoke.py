from tests.conftest import department


def test_hr_signs_in_and_sees_own_department(client, login, make_user, session):
    user = make_user("hr", "SOF")
    login(user)
    page = client.get("/").get_data(as_text=True)
    assert department(session, "SOF").name in page
