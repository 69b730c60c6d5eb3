"""Staff tokens on the catalog's own database: shown once, stored hashed, revocable."""
from services.catalog.storage import CatalogStore
from shared.database import Database


def test_a_token_authenticates_until_it_is_revoked(migrated):
    store = CatalogStore(Database(migrated("catalog")))
    made = store.create_staff_token("Maija", organizer="Kosketus")
    assert store.authenticate(made["token"]) == {"id": made["id"], "name": "Maija", "organizer": "Kosketus",
                                                 "admin": False}
    assert store.authenticate(made["token"] + "x") is None
    assert [t["name"] for t in store.list_staff_tokens()] == ["Maija"]
    assert "token" not in store.list_staff_tokens()[0]
    assert store.revoke_staff_token(made["id"])
    assert not store.revoke_staff_token(made["id"])  # twice: nothing left to revoke
    assert store.authenticate(made["token"]) is None
