/* The Node-API floor `npm run bench` measures hash() against (scripts/bench/peers.ts compiles
 * it with cc against the headers of the Node.js that runs the bench). Two plain Node-API
 * callbacks that do no work: what any call from JavaScript costs before an addon does
 * anything, and what a call costs that also returns a new string the size of a digest. */
#include <node_api.h>

/* noop(x): reads its one argument and returns it. */
static napi_value noop(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value arg;
  if (napi_get_cb_info(env, info, &argc, &arg, NULL, NULL) != napi_ok) return NULL;
  return arg;
}

/* string16(x): reads its one argument and returns a new 16-character string, as hash() does. */
static napi_value string16(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value arg, out;
  if (napi_get_cb_info(env, info, &argc, &arg, NULL, NULL) != napi_ok) return NULL;
  if (napi_create_string_latin1(env, "0123456789abcdef", 16, &out) != napi_ok) return NULL;
  return out;
}

NAPI_MODULE_INIT() {
  napi_value fn;
  if (napi_create_function(env, "noop", NAPI_AUTO_LENGTH, noop, NULL, &fn) != napi_ok) return NULL;
  if (napi_set_named_property(env, exports, "noop", fn) != napi_ok) return NULL;
  if (napi_create_function(env, "string16", NAPI_AUTO_LENGTH, string16, NULL, &fn) != napi_ok) return NULL;
  if (napi_set_named_property(env, exports, "string16", fn) != napi_ok) return NULL;
  return exports;
}
