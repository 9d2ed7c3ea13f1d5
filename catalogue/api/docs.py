"""A browsable API reference, rendered on the server from the OpenAPI document."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

blp = Blueprint("api_docs", __name__)

METHODS = ("get", "post", "put", "patch", "delete")


@blp.get("/api/v1/docs")
def reference():
    spec = current_app.extensions["flask-smorest"]["apis"][""]["ext_obj"].spec.to_dict()
    operations = []
    for path, item in spec.get("paths", {}).items():
        for method in METHODS:
            if method in item:
                operation = item[method]
                operations.append(
                    {
                        "method": method.upper(),
                        "path": path,
                        "tag": (operation.get("tags") or ["other"])[0],
                        "summary": operation.get("summary", ""),
                        "description": operation.get("description", ""),
                        "parameters": item.get("parameters", []) + operation.get("parameters", []),
                        "responses": operation.get("responses", {}),
                        "body": "requestBody" in operation,
                    }
                )
    return render_template("api_docs.html", spec=spec, operations=operations)
