/// The OpenAPI 3.0 description of the server, served at `/api/v1/openapi.json`.
///
/// Tests parse it and check that every documented path is served and that live responses carry
/// the documented required fields, so edit it together with the handlers.
enum OpenAPIDocument {
    static let json = """
    {
      "openapi": "3.0.3",
      "info": {
        "title": "cecert verification",
        "version": "1.0.0",
        "description": "Public verification of Taizhou continuing-education certificates. Every response has Cache-Control: no-store."
      },
      "paths": {
        "/v": {
          "get": {
            "summary": "Lookup form; with number and code, the verification page above a pre-filled form",
            "parameters": [
              {"name": "number", "in": "query", "required": false, "schema": {"type": "string"}},
              {"name": "code", "in": "query", "required": false, "schema": {"type": "string"}},
              {"name": "name", "in": "query", "required": false, "schema": {"type": "string"}}
            ],
            "responses": {
              "200": {"description": "Form, or a found certificate", "content": {"text/html": {}}},
              "400": {"description": "Only one of number and code given", "content": {"text/html": {}}},
              "404": {"description": "Unknown or malformed code, or a number that does not match it", "content": {"text/html": {}}},
              "429": {"$ref": "#/components/responses/RateLimited"}
            }
          }
        },
        "/v/{code}": {
          "get": {
            "summary": "Verification page for the code in a certificate's QR code",
            "parameters": [
              {"$ref": "#/components/parameters/Code"},
              {"name": "name", "in": "query", "required": false, "schema": {"type": "string"}}
            ],
            "responses": {
              "200": {"description": "Valid, revoked, superseded or tampered record", "content": {"text/html": {}}},
              "404": {"description": "Unknown or malformed code", "content": {"text/html": {}}},
              "429": {"$ref": "#/components/responses/RateLimited"}
            }
          }
        },
        "/api/v1/verify/{code}": {
          "get": {
            "summary": "The verification page's facts as JSON",
            "parameters": [
              {"$ref": "#/components/parameters/Code"},
              {"name": "number", "in": "query", "required": false, "schema": {"type": "string"}},
              {"name": "name", "in": "query", "required": false, "schema": {"type": "string"}}
            ],
            "responses": {
              "200": {"description": "Valid, revoked, superseded or tampered record",
                      "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Verification"}}}},
              "404": {"description": "Unknown or malformed code",
                      "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Verification"}}}},
              "429": {"$ref": "#/components/responses/RateLimited"}
            }
          }
        },
        "/api/v1/verify-pdf": {
          "post": {
            "summary": "Whether a file is byte-identical to an issued certificate PDF (SHA-256)",
            "requestBody": {"required": true, "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}},
            "responses": {
              "200": {"description": "Check result",
                      "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PDFCheck"}}}},
              "400": {"$ref": "#/components/responses/Error"},
              "413": {"$ref": "#/components/responses/Error"},
              "429": {"$ref": "#/components/responses/RateLimited"}
            }
          }
        },
        "/api/v1/certificates/{number}.pdf": {
          "get": {
            "summary": "Download an issued PDF; each download is recorded as a print",
            "security": [{"bearer": []}],
            "parameters": [{"name": "number", "in": "path", "required": true, "schema": {"type": "string"}}],
            "responses": {
              "200": {"description": "The PDF as issued", "content": {"application/pdf": {}}},
              "401": {"$ref": "#/components/responses/Error"},
              "404": {"$ref": "#/components/responses/Error"},
              "410": {"$ref": "#/components/responses/Error"},
              "503": {"$ref": "#/components/responses/Error"}
            }
          }
        },
        "/api/v1/keys": {
          "get": {
            "summary": "Public keys that sign certificate records",
            "responses": {
              "200": {"description": "Every registered key, oldest first",
                      "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Keys"}}}}
            }
          }
        },
        "/healthz": {
          "get": {
            "summary": "Liveness and store access",
            "responses": {
              "200": {"description": "Healthy", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Health"}}}},
              "503": {"description": "The store cannot be read", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Health"}}}}
            }
          }
        },
        "/metrics": {
          "get": {
            "summary": "Prometheus text exposition",
            "responses": {"200": {"description": "Metrics", "content": {"text/plain": {}}}}
          }
        },
        "/api/v1/openapi.json": {
          "get": {
            "summary": "This document",
            "responses": {"200": {"description": "OpenAPI 3 document", "content": {"application/json": {}}}}
          }
        }
      },
      "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        "parameters": {
          "Code": {"name": "code", "in": "path", "required": true,
                   "description": "20 characters of 23456789ABCDEFGHJKLMNPQRSTUVWXYZ; case, spaces, dashes and full-width forms are ignored",
                   "schema": {"type": "string"}}
        },
        "responses": {
          "Error": {"description": "Error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
          "RateLimited": {"description": "Too many requests; see Retry-After",
                          "headers": {"Retry-After": {"schema": {"type": "integer"}}},
                          "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        },
        "schemas": {
          "Verification": {
            "type": "object",
            "required": ["status", "status_label", "message"],
            "properties": {
              "status": {"type": "string", "enum": ["valid", "revoked", "superseded", "not_found", "malformed", "tampered"]},
              "status_label": {"type": "string"},
              "message": {"type": "string"},
              "number": {"type": "string"},
              "holder_name": {"type": "string", "description": "Surname with the given name masked, or the full name after a matching name confirmation"},
              "masked_id_number": {"type": "string"},
              "work_unit": {"type": "string"},
              "current_title": {"type": "string"},
              "declaration": {"type": "string"},
              "period": {"type": "string"},
              "public_courses": {"type": "integer"},
              "public_hours": {"type": "string"},
              "professional_hours": {"type": "string"},
              "total_hours": {"type": "string"},
              "issue_date": {"type": "string", "format": "date"},
              "issuer": {"type": "string"},
              "revoked_on": {"type": "string"},
              "revocation_reason": {"type": "string", "description": "The reason category in Chinese, for example 信息有误"},
              "revocation_category": {"type": "string", "description": "The stored reason code: error, fraud, duplicate, withdrawn or other"},
              "years": {"type": "array", "items": {"$ref": "#/components/schemas/Year"}},
              "name_match": {"type": "boolean", "description": "Present only when a name was given"}
            }
          },
          "Year": {
            "type": "object",
            "required": ["year", "public_courses", "public_hours", "professional_hours", "total_hours"],
            "properties": {
              "year": {"type": "integer"},
              "public_courses": {"type": "integer"},
              "public_hours": {"type": "string"},
              "professional_hours": {"type": "string"},
              "total_hours": {"type": "string"}
            }
          },
          "PDFCheck": {
            "type": "object",
            "required": ["issued", "sha256", "message", "certificates"],
            "properties": {
              "issued": {"type": "boolean"},
              "sha256": {"type": "string"},
              "message": {"type": "string"},
              "certificates": {"type": "array", "items": {"type": "object", "required": ["number", "status"],
                               "properties": {"number": {"type": "string"}, "status": {"type": "string"}}}}
            }
          },
          "Keys": {
            "type": "object",
            "required": ["keys"],
            "properties": {
              "keys": {"type": "array", "items": {"type": "object",
                       "required": ["key_id", "algorithm", "public_key", "public_key_hex", "created_at", "retired_at"],
                       "properties": {"key_id": {"type": "string"}, "algorithm": {"type": "string"},
                                      "public_key": {"type": "string", "format": "byte"}, "public_key_hex": {"type": "string"},
                                      "created_at": {"type": "string"}, "retired_at": {"type": "string", "nullable": true}}}}
            }
          },
          "Health": {"type": "object", "required": ["status"], "properties": {"status": {"type": "string"}}},
          "Error": {"type": "object", "required": ["error", "message"],
                    "properties": {"error": {"type": "string"}, "message": {"type": "string"}}}
        }
      }
    }
    """
}
