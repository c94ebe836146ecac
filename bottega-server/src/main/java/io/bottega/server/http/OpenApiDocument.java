package io.bottega.server.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds the OpenAPI 3.1 document from the routes the server registers and the wire records they carry,
 * so the document cannot drift from the code: every route is in it, and every record's fields are read
 * from the record itself.
 */
final class OpenApiDocument {
    private OpenApiDocument() {}

    static String build(ObjectMapper json, String title, List<ApiServer.Route> routes) {
        ObjectNode root = json.createObjectNode();
        root.put("openapi", "3.1.0");
        ObjectNode info = root.putObject("info");
        info.put("title", title);
        info.put("version", "1");
        info.put("description", "Bottega controller API. Clients on the controller's machine use the local Unix socket "
                + "(the caller is known from its peer credentials); others send 'Authorization: Bearer <token>' "
                + "(see POST /api/v1/tokens). Agents send the cluster key. Errors are {\"error\": message, \"field\": name}.");
        ObjectNode paths = root.putObject("paths");
        Map<Class<?>, Boolean> schemas = new LinkedHashMap<>();
        for (ApiServer.Route r : routes) {
            String path = r.path();
            ObjectNode p = paths.has(path) ? (ObjectNode) paths.get(path) : paths.putObject(path);
            ObjectNode op = p.putObject(r.method().toLowerCase(java.util.Locale.ROOT));
            op.put("summary", r.summary());
            ArrayNode params = op.putArray("parameters");
            for (String seg : path.split("/")) {
                if (seg.startsWith("{") && seg.endsWith("}")) {
                    ObjectNode prm = params.addObject();
                    prm.put("name", seg.substring(1, seg.length() - 1));
                    prm.put("in", "path");
                    prm.put("required", true);
                    prm.putObject("schema").put("type", "string");
                }
            }
            for (String q : r.query()) {
                ObjectNode prm = params.addObject();
                prm.put("name", q);
                prm.put("in", "query");
                prm.putObject("schema").put("type", "string");
            }
            if (r.request() != null) {
                schemas.put(r.request(), true);
                op.putObject("requestBody").put("required", true).putObject("content").putObject("application/json")
                        .putObject("schema").put("$ref", "#/components/schemas/" + r.request().getSimpleName());
            }
            ObjectNode ok = op.putObject("responses").putObject(r.method().equals("POST") && path.endsWith("/jobs") ? "201" : "200");
            ok.put("description", "success");
            if (r.response() == String.class) {
                ok.putObject("content").putObject("text/plain").putObject("schema").put("type", "string");
            } else if (r.response() != null) {
                schemas.put(r.response(), true);
                ObjectNode schema = ok.putObject("content").putObject("application/json").putObject("schema");
                if (r.responseIsList()) {
                    schema.put("type", "array").putObject("items").put("$ref", "#/components/schemas/" + r.response().getSimpleName());
                } else {
                    schema.put("$ref", "#/components/schemas/" + r.response().getSimpleName());
                }
            }
            ObjectNode err = ((ObjectNode) op.get("responses")).putObject("4XX");
            err.put("description", "the request was refused; the body says why and which field");
        }
        ObjectNode comps = root.putObject("components").putObject("schemas");
        List<Class<?>> todo = new java.util.ArrayList<>(schemas.keySet());
        for (int i = 0; i < todo.size(); i++) {
            Class<?> c = todo.get(i);
            if (comps.has(c.getSimpleName())) continue;
            ObjectNode s = comps.putObject(c.getSimpleName());
            s.put("type", "object");
            ObjectNode props = s.putObject("properties");
            if (c.isRecord()) {
                for (RecordComponent rc : c.getRecordComponents()) {
                    props.set(rc.getName(), schemaOf(json, rc.getGenericType(), todo));
                }
            }
        }
        return root.toPrettyString();
    }

    private static ObjectNode schemaOf(ObjectMapper json, Type t, List<Class<?>> todo) {
        ObjectNode s = json.createObjectNode();
        if (t instanceof ParameterizedType pt) {
            Class<?> raw = (Class<?>) pt.getRawType();
            if (List.class.isAssignableFrom(raw)) {
                s.put("type", "array");
                s.set("items", schemaOf(json, pt.getActualTypeArguments()[0], todo));
                return s;
            }
            if (Map.class.isAssignableFrom(raw)) {
                s.put("type", "object");
                s.set("additionalProperties", schemaOf(json, pt.getActualTypeArguments()[1], todo));
                return s;
            }
            return schemaOf(json, raw, todo);
        }
        Class<?> c = (Class<?>) t;
        if (c == String.class) s.put("type", "string");
        else if (c == int.class || c == long.class || c == Integer.class || c == Long.class) s.put("type", "integer");
        else if (c == double.class || c == float.class || c == Double.class) s.put("type", "number");
        else if (c == boolean.class || c == Boolean.class) s.put("type", "boolean");
        else if (c.isEnum()) {
            s.put("type", "string");
            ArrayNode e = s.putArray("enum");
            for (Object o : c.getEnumConstants()) e.add(o.toString());
        } else if (c.isRecord()) {
            if (!todo.contains(c)) todo.add(c);
            s.put("$ref", "#/components/schemas/" + c.getSimpleName());
        } else s.put("type", "object");
        return s;
    }
}
