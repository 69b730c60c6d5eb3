"""Every answer the end-to-end tests get, held to the OpenAPI document (services/gateway/openapi.py):
its status must be documented for the path and method asked, and a JSON body must match the
documented schema. The e2e tests switch this on for the answers through `System.call`
(tests/e2e/conftest.py), so a drift between the document and the real answers fails the test
that met it, naming the request, the status and what is wrong."""
import functools
import re
from urllib.parse import unquote, urlsplit

from openapi_schema_validator import OAS31Validator

from services.gateway.openapi import EVERY_OPERATION

# What the fallback answers for a method or path no endpoint serves (services/gateway/http.py).
UNMATCHED = {200, 204, 404, 405, *EVERY_OPERATION}


class AnswerNotDocumented(AssertionError):
    pass


class DocumentedAnswers:
    def __init__(self, spec):
        self.spec = spec
        operations = []
        for path, methods in spec["paths"].items():
            pattern = re.compile("^" + re.sub(r"\\\{\w+\\\}", "[^/]+", re.escape(path)) + "$")
            for method, operation in methods.items():
                operations.append((path.count("{"), method.upper(), pattern, path, operation))
        self.operations = sorted(operations, key=lambda found: found[0])  # literal paths first

    def operation(self, method, path):
        method = "GET" if method == "HEAD" else method
        for _, declared, pattern, template, operation in self.operations:
            if declared == method and pattern.match(path):
                return template, operation
        return None, None

    @functools.lru_cache(maxsize=None)
    def _validator(self, template, method, status, media):
        if template is None:
            schema = {"$ref": "#/components/schemas/Error"}
        else:
            schema = self.spec["paths"][template][method.lower()]["responses"][status]["content"][media]["schema"]
        return OAS31Validator({**schema, "components": self.spec["components"]},
                              format_checker=OAS31Validator.FORMAT_CHECKER)

    def violations(self, response):
        """What is wrong with `response` (a requests Response) by the document: [] when nothing."""
        request = response.request
        path = unquote(urlsplit(request.url).path)
        status = str(response.status_code)
        media = (response.headers.get("Content-Type") or "").split(";")[0].strip()
        template, operation = self.operation(request.method, path)
        if operation is None:
            if media != "application/json":  # a web page, a calendar file: not the API's
                return []
            if response.status_code not in UNMATCHED:
                return [f"{status} is not an answer the fallback gives"]
            return self._body_violations(response, None, request.method, status, media)
        documented = operation["responses"].get(status)
        if documented is None:
            return [f"{status} is not documented for {request.method} {template}"]
        content = documented.get("content", {})
        if request.method == "HEAD" or (not content and not _has_body(response)):
            return []
        if media not in content:
            return [f"a {media or 'body without Content-Type'} answer is not documented for {status} "
                    f"of {request.method} {template} (documented: {sorted(content) or 'no body'})"]
        if media != "application/json":
            return []
        return self._body_violations(response, template, request.method, status, media)

    def _body_violations(self, response, template, method, status, media):
        try:
            body = response.json()
        except ValueError:
            return ["the body is not JSON though it says so"]
        errors = sorted(self._validator(template, method, status, media).iter_errors(body),
                        key=lambda error: list(error.absolute_path))
        return [f"at {error.json_path}: {error.message[:300]}" for error in errors[:10]]

    def check(self, response, *args, **kwargs):
        """A requests response hook: raises AnswerNotDocumented when `response` breaks the document."""
        problems = self.violations(response)
        if problems:
            request = response.request
            raise AnswerNotDocumented(
                f"{request.method} {urlsplit(request.url).path} answered {response.status_code}, "
                f"which the OpenAPI document does not describe:\n  " + "\n  ".join(problems)
                + f"\nthe body: {response.text[:500] if _readable(response) else '(not read)'}")


def _has_body(response):
    return _readable(response) and bool(response.content)


def _readable(response):
    """Whether the hook may read the body: never an endless event stream."""
    return not (response.headers.get("Content-Type") or "").startswith("text/event-stream")
