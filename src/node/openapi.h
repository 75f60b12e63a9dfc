// The node's OpenAPI 3.1 document (docs/api/openapi.json, compiled into the binary and served
// at /v1/openapi.json).
#ifndef QFS_NODE_OPENAPI_H_
#define QFS_NODE_OPENAPI_H_

#include <string_view>

namespace qfs::node {

std::string_view OpenApiDocument();

}  // namespace qfs::node

#endif  // QFS_NODE_OPENAPI_H_
