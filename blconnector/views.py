"""``POST /connector.php``: BaseLinker's API transport (reference §1) in front of the method registry.

One endpoint for every method. The form fields ``method``, ``parameters`` (a JSON string) and the
deprecated ``token`` are read from a form body (a JSON body with the same keys works too); the token
comes from the ``X-BLToken`` header, else from the ``token`` field. Every answer is HTTP 200 with a JSON
body — ``{"status": "SUCCESS", …}`` or ``{"status": "ERROR", "error_code", "error_message"}`` — because
BaseLinker's clients treat any other status as a broken connection; only a request that is not a POST
gets another status. Each call that writes runs in one transaction: an error leaves nothing written.
"""

from __future__ import annotations

import json
import logging
from decimal import Decimal

from django.core.exceptions import (
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    ValidationError,
)
from django.db import transaction
from django.http import HttpResponse, HttpResponseNotAllowed
from django.http.multipartparser import MultiPartParserError
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from accounts.authentication import api_token_find, api_token_touch
from accounts.tenancy import request_tenant, require_role
from blconnector.errors import ApiError, Code, bad_parameter
from blconnector.ratelimit import rate_limit_check
from blconnector.registry import METHODS, READ, Call
from blconnector.render import RawJson
from catalog.services import StockShortfall
from changes.origin import Origin
from config.stored_messages import Joined, Message

logger = logging.getLogger(__name__)


def _default(value):
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, Message | Joined | Promise):
        # A message stored untranslated (a ledger entry's description…): in the caller's language.
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _dump(value) -> str:
    if isinstance(value, RawJson):
        return value
    return json.dumps(value, default=_default, separators=(",", ":"))


def answer(body: dict) -> HttpResponse:
    text = "{" + ",".join(f"{json.dumps(key)}:{_dump(value)}" for key, value in body.items()) + "}"
    return HttpResponse(text, content_type="application/json; charset=utf-8")


def error_answer(code: str, message: str) -> HttpResponse:
    return answer({"status": "ERROR", "error_code": code, "error_message": message})


def _fields(request) -> dict:
    """The request's ``method``, ``parameters`` and ``token`` (form body, or a JSON object body)."""
    if request.content_type == "application/json":
        try:
            body = json.loads(request.body or b"{}")
        except ValueError:
            raise ApiError(Code.INVALID_PARAMETERS, _("The request body is not valid JSON."))
        return body if isinstance(body, dict) else {}
    return {key: request.POST.get(key) for key in ("method", "parameters", "token") if key in request.POST}


def _parameters(value) -> dict:
    """``parameters`` missing, ``""``, ``"{}"``, ``"[]"`` or ``null`` all mean no parameters."""
    if isinstance(value, str):
        if not value.strip():
            return {}
        try:
            value = json.loads(value)
        except (ValueError, RecursionError):
            raise ApiError(Code.INVALID_PARAMETERS, _("Parameter “parameters”: not valid JSON."))
    if value is None or value == [] or value == "":
        return {}
    if not isinstance(value, dict):
        raise ApiError(Code.INVALID_PARAMETERS, _("Parameter “parameters”: a JSON object is required."))
    _text_check(value, "")
    return value


def _text_check(value, path: str) -> None:
    """Refuse text no database column can hold (NUL characters, lone UTF-16 surrogates), anywhere."""
    if isinstance(value, dict):
        for key, item in value.items():
            _text_check(key, path)
            _text_check(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _text_check(item, f"{path}[{index}]")
    elif isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise bad_parameter(path or "parameters", _("text that is not valid Unicode."))
        if "\x00" in value:
            raise bad_parameter(path or "parameters", _("text cannot contain NUL characters."))


def _token(request, fields: dict):
    secret = request.headers.get("X-BLToken") or fields.get("token")
    if not isinstance(secret, str) or not secret.strip():
        raise ApiError(Code.AUTH_TOKEN, _("No API token: send it in the X-BLToken header."))
    token = api_token_find(secret.strip())
    if token is None:
        raise ApiError(Code.AUTH_TOKEN, _("Invalid API token."))
    if not token.is_active:
        raise ApiError(Code.AUTH_TOKEN, _("This API token has been revoked."))
    api_token_touch(token)
    return token


# The services name some fields by their model names; the caller sent BaseLinker's parameters.
_PARAMETER_NAMES = {
    "parent": "parent_id",
    "components": "bundle_products",
    "category": "category_id",
    "manufacturer": "manufacturer_id",
}


def _validation_message(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "; ".join(
            f"{_PARAMETER_NAMES.get(field, field)}: {' '.join(messages)}"
            if field != "__all__"
            else " ".join(messages)
            for field, messages in exc.message_dict.items()
        )
    return " ".join(exc.messages)


def connector_call(request) -> HttpResponse:
    fields = _fields(request)
    token = _token(request, fields)
    rate_limit_check(token=token)
    name = fields.get("method")
    method = METHODS.get(name) if isinstance(name, str) else None
    if method is None:
        raise ApiError(
            Code.UNKNOWN_METHOD,
            _("Unknown method “%(name)s”.") % {"name": str(name)[:100]} if name else _("No method given."),
        )
    request.auth = token  # the tenant comes from the token, as on the REST API
    tenant = request_tenant(request)
    try:
        require_role(tenant, method.role)
    except PermissionDenied as exc:
        raise ApiError(Code.PERMISSION_DENIED, str(exc))
    args = method.parse(_parameters(fields.get("parameters")))
    call = Call(tenant=tenant, origin=Origin.of_tenant(tenant))
    try:
        if method.act == READ:
            result = method.handler(call, args)
        else:
            with transaction.atomic():
                result = method.handler(call, args)
    except StockShortfall as exc:
        raise ApiError(Code.NOT_ENOUGH_STOCK, str(exc))
    except ValidationError as exc:
        raise ApiError(Code.INVALID_PARAMETERS, _validation_message(exc))
    except PermissionDenied as exc:
        raise ApiError(Code.PERMISSION_DENIED, str(exc))
    return answer({"status": "SUCCESS", **result})


def _method_name(request) -> str:
    try:
        return str(_fields(request).get("method", ""))[:100]
    except Exception:
        return "?"


@csrf_exempt
def connector(request) -> HttpResponse:
    if request.method != "POST":
        response = HttpResponseNotAllowed(["POST"], content_type="application/json; charset=utf-8")
        response.content = _dump(
            {"status": "ERROR", "error_code": Code.UNKNOWN_METHOD, "error_message": _("Send a POST request.")}
        )
        return response
    try:
        return connector_call(request)
    except ApiError as exc:
        return error_answer(exc.code, exc.message)
    except RequestDataTooBig:
        return error_answer(Code.INVALID_PARAMETERS, _("The request is too large."))
    except TooManyFieldsSent:
        return error_answer(
            Code.INVALID_PARAMETERS,
            _("Too many form fields: send “method”, “parameters” (one JSON text) and the token."),
        )
    except (MultiPartParserError, SuspiciousOperation):
        return error_answer(Code.INVALID_PARAMETERS, _("The request cannot be read."))
    except Exception:
        # Never a 500: BaseLinker's clients only understand an ERROR answer. The cause is in the log.
        logger.exception("connector.php call failed: %s", _method_name(request))
        return error_answer(
            Code.INTERNAL, _("An internal error occurred; it has been logged. Try again later.")
        )
