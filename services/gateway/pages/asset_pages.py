"""Entrypoints: the pages' static files (the stylesheet, and the door page's script). Addresses carry the file's hash
(`?v=`), so browsers may keep them for a year."""
from werkzeug.wrappers import Response

from services.gateway.pages.endpoint import page
from services.gateway.pages.rendering import STATIC, static_version
from shared.errors import NotFound

MEDIA = {".css": "text/css", ".js": "text/javascript"}
FOREVER = "public, max-age=31536000, immutable"


class AssetPages:
    @page("GET", "/static/<string:name>")
    def static_file(self, request, name):
        path = STATIC / name
        if path.suffix not in MEDIA or path.parent != STATIC or not path.is_file():
            raise NotFound("No such file.")
        cache = FOREVER if request.args.get("v") == static_version(name) else "public, max-age=300"
        return Response(path.read_bytes(), mimetype=MEDIA[path.suffix], headers={"Cache-Control": cache})
