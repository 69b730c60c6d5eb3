"""Staff tokens on the catalog's own database: shown once, stored hashed, revocable."""
import pytest

from services.catalog.storage import CatalogStore
from shared.database import Database
from shared.errors import ValidationFailed


def test_a_token_authenticates_until_it_is_revoked(migrated):
    store = CatalogStore(Database(migrated("catalog")))
    made = store.create_staff_token("Maija", organizer="Kosketus", phone="+358401110000")
    assert store.authenticate(made["token"]) == {"id": made["id"], "name": "Maija", "organizer": "Kosketus",
                                                 "admin": False, "phone": "+358401110000", "email": None}
    assert store.authenticate(made["token"] + "x") is None
    assert [t["name"] for t in store.list_staff_tokens()] == ["Maija"]
    assert "token" not in store.list_staff_tokens()[0]
    assert store.revoke_staff_token(made["id"])
    assert not store.revoke_staff_token(made["id"])  # twice: nothing left to revoke
    assert store.authenticate(made["token"]) is None


def test_a_token_belongs_to_an_organizer_unless_it_is_an_admins(migrated):
    store = CatalogStore(Database(migrated("catalog")))
    with pytest.raises(ValidationFailed) as refused:
        store.create_staff_token("Nobody's")
    assert "organizer" in refused.value.fields
    assert store.list_staff_tokens() == []
    assert store.create_staff_token("Ville", admin=True)["admin"] is True
