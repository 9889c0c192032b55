def test_storefront_lists_the_worlds_product(client, world):
    response = client.get("/catalog/")
    assert response.status_code == 200
    assert b"Sync Tool" in response.data
