def test_home_for_member_lists_their_bodies(client, auth, factories):
    member = factories.member(email="ana@example.org")
    body = factories.body(name="Asamblea general")
    factories.seat(body, member)
    response = auth.login("ana@example.org")
    assert response.status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert "Asamblea general" in page
