/* The Node-API floor `npm run bench` measures hash() against (scripts/bench/peers.ts compiles
 * it with cc against the headers of the Node.js that runs the bench). Two plain Node-API
 * callbacks that do no work: what any call from JavaScript costs before an addon does
 * anything, and what a call costs that also returns a new string the size of a digest.
 * And XXH64 as its specification writes it, in plain C, compiled with -O2: on a large input
 * the speed of this machine's scalar XXH64, which no binding can pass by calling better. */
#include <node_api.h>
#include <stdint.h>
#include <string.h>

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

/* XXH64's primes, from its specification. */
#define P1 0x9E3779B185EBCA87ULL
#define P2 0xC2B2AE3D27D4EB4FULL
#define P3 0x165667B19E3779F9ULL
#define P4 0x85EBCA77C2B2AE63ULL
#define P5 0x27D4EB2F165667C5ULL

static uint64_t rotl(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }
static uint64_t read64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; } /* little-endian hosts */
static uint32_t read32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static uint64_t round64(uint64_t acc, uint64_t input) { return rotl(acc + input * P2, 31) * P1; }
static uint64_t merge(uint64_t h, uint64_t v) { return (h ^ round64(0, v)) * P1 + P4; }

/* XXH64 of `p[0..len)` with seed 0. */
static uint64_t xxh64(const uint8_t *p, size_t len) {
  const uint8_t *end = p + len;
  uint64_t h;
  if (len >= 32) {
    uint64_t v1 = P1 + P2, v2 = P2, v3 = 0, v4 = -P1;
    for (; p + 32 <= end; p += 32) {
      v1 = round64(v1, read64(p));
      v2 = round64(v2, read64(p + 8));
      v3 = round64(v3, read64(p + 16));
      v4 = round64(v4, read64(p + 24));
    }
    h = rotl(v1, 1) + rotl(v2, 7) + rotl(v3, 12) + rotl(v4, 18);
    h = merge(merge(merge(merge(h, v1), v2), v3), v4);
  } else {
    h = P5;
  }
  h += (uint64_t)len;
  for (; p + 8 <= end; p += 8) h = rotl(h ^ round64(0, read64(p)), 27) * P1 + P4;
  if (p + 4 <= end) { h = rotl(h ^ ((uint64_t)read32(p) * P1), 23) * P2 + P3; p += 4; }
  for (; p < end; p++) h = rotl(h ^ (*p * P5), 11) * P1;
  h ^= h >> 33; h *= P2; h ^= h >> 29; h *= P3; h ^= h >> 32;
  return h;
}

/* xxh64(buffer): the digest of a Buffer's bytes, as a bigint. */
static napi_value xxh64_buffer(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value arg, out;
  void *data;
  size_t len;
  if (napi_get_cb_info(env, info, &argc, &arg, NULL, NULL) != napi_ok) return NULL;
  if (napi_get_buffer_info(env, arg, &data, &len) != napi_ok) return NULL;
  if (napi_create_bigint_uint64(env, xxh64((const uint8_t *)data, len), &out) != napi_ok) return NULL;
  return out;
}

NAPI_MODULE_INIT() {
  napi_value fn;
  if (napi_create_function(env, "noop", NAPI_AUTO_LENGTH, noop, NULL, &fn) != napi_ok) return NULL;
  if (napi_set_named_property(env, exports, "noop", fn) != napi_ok) return NULL;
  if (napi_create_function(env, "string16", NAPI_AUTO_LENGTH, string16, NULL, &fn) != napi_ok) return NULL;
  if (napi_set_named_property(env, exports, "string16", fn) != napi_ok) return NULL;
  if (napi_create_function(env, "xxh64", NAPI_AUTO_LENGTH, xxh64_buffer, NULL, &fn) != napi_ok) return NULL;
  if (napi_set_named_property(env, exports, "xxh64", fn) != napi_ok) return NULL;
  return exports;
}
