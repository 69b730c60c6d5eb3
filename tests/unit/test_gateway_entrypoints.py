"""GatewayService is made of many classes (the API's and the pages' groups): a method of one with
the name of another's entrypoint hides it silently, and its address answers 405 or 404."""
from services.gateway.service import GatewayService


def test_no_class_of_the_gateway_hides_another_ones_method():
    owners = {}
    for cls in GatewayService.__mro__:
        if cls is object:
            continue
        for name, value in vars(cls).items():
            if callable(value) and not name.startswith("__"):
                owners.setdefault(name, []).append(cls.__name__)
    hidden = {name: classes for name, classes in owners.items() if len(classes) > 1}
    assert not hidden, f"the same name in more than one class (the first hides the rest): {hidden}"
