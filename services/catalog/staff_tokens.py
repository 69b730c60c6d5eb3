"""Staff tokens, made and revoked on the catalog's own database.

    python -m services.catalog.staff_tokens create "Maija / Kosketus" --organizer ORG [--phone P] [--email E]
    python -m services.catalog.staff_tokens create "Ville / kaupunki" --admin
    python -m services.catalog.staff_tokens list
    python -m services.catalog.staff_tokens revoke TOKEN_ID

The token is printed once; only its hash is stored. A token belongs to an organizer (an NGO or a
municipality, spelled as on its events): its staff see and change that organizer's events only.
An admin token sees everything. --phone/--email is where messages go for residents this staff
member signs up who have no phone or email of their own.
"""
import argparse
import json

from services.catalog.storage import CatalogStore
from shared.config import setting
from shared.contacts import allowed_regions, normalise_email, normalise_phone
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
    create.add_argument("--phone", help="the staff member's mobile number (E.164 or Finnish)")
    create.add_argument("--email")
    commands.add_parser("list", help="list tokens (without the secrets)")
    revoke = commands.add_parser("revoke", help="revoke a token by its id")
    revoke.add_argument("token_id")
    args = parser.parse_args(argv)

    url = setting("CATALOG_DATABASE_URL")
    upgrade("catalog", url)
    store = CatalogStore(Database(url))
    if args.command == "create":
        if not (args.organizer or args.admin):
            parser.error("give --organizer ORG (or --admin for a token that sees every organizer)")
        phone = email = None
        if args.phone:
            phone, reason = normalise_phone(args.phone, allowed_regions())
            if reason:
                parser.error(f"--phone {reason}")
        if args.email:
            email, reason = normalise_email(args.email)
            if reason:
                parser.error(f"--email: {reason}")
        token = store.create_staff_token(args.name, args.organizer, args.admin, phone, email)
        print(json.dumps(token, indent=2, ensure_ascii=False))
    elif args.command == "list":
        print(json.dumps(store.list_staff_tokens(), indent=2, ensure_ascii=False))
    elif args.command == "revoke":
        if not store.revoke_staff_token(args.token_id):
            raise SystemExit(f"no active token with id {args.token_id}")
        print(f"revoked {args.token_id}")


if __name__ == "__main__":
    main()
