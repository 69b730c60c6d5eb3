"""Staff tokens, made and revoked on the catalog's own database.

    python -m services.catalog.staff_tokens create "Maija / Kosketus" [--organizer ORG] [--admin]
    python -m services.catalog.staff_tokens list
    python -m services.catalog.staff_tokens revoke TOKEN_ID

The token is printed once; only its hash is stored.
"""
import argparse
import json

from services.catalog.storage import CatalogStore
from shared.config import setting
from shared.database import Database
from shared.migrations import upgrade


def main(argv=None):
    parser = argparse.ArgumentParser(prog="staff_tokens", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create", help="make a token (printed once)")
    create.add_argument("name")
    create.add_argument("--organizer")
    create.add_argument("--admin", action="store_true")
    commands.add_parser("list", help="list tokens (without the secrets)")
    revoke = commands.add_parser("revoke", help="revoke a token by its id")
    revoke.add_argument("token_id")
    args = parser.parse_args(argv)

    url = setting("CATALOG_DATABASE_URL")
    upgrade("catalog", url)
    store = CatalogStore(Database(url))
    if args.command == "create":
        print(json.dumps(store.create_staff_token(args.name, args.organizer, args.admin), indent=2))
    elif args.command == "list":
        print(json.dumps(store.list_staff_tokens(), indent=2, ensure_ascii=False))
    elif args.command == "revoke":
        if not store.revoke_staff_token(args.token_id):
            raise SystemExit(f"no active token with id {args.token_id}")
        print(f"revoked {args.token_id}")


if __name__ == "__main__":
    main()
