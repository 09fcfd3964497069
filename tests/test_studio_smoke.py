def test_server_answers_with_token(studio):
    client = studio.client()
    me = client.users.whoami()
    assert me.email == studio.username
