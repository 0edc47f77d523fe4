#ifndef FMNIST_CCURL_SHIM_H
#define FMNIST_CCURL_SHIM_H
#include <curl/curl.h>

/* curl_easy_setopt and curl_easy_getinfo are variadic; Swift needs typed wrappers. */

static inline CURLcode fmnist_curl_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode fmnist_curl_setopt_off(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode fmnist_curl_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode fmnist_curl_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode fmnist_curl_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value) {
    return curl_easy_setopt(handle, option, value);
}

typedef size_t (*fmnist_curl_data_callback)(char *data, size_t size, size_t count, void *context);
typedef int (*fmnist_curl_xferinfo_callback)(void *context, curl_off_t dltotal, curl_off_t dlnow,
                                             curl_off_t ultotal, curl_off_t ulnow);

static inline CURLcode fmnist_curl_setopt_write_function(CURL *handle, fmnist_curl_data_callback callback) {
    return curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, callback);
}

static inline CURLcode fmnist_curl_setopt_header_function(CURL *handle, fmnist_curl_data_callback callback) {
    return curl_easy_setopt(handle, CURLOPT_HEADERFUNCTION, callback);
}

static inline CURLcode fmnist_curl_setopt_xferinfo_function(CURL *handle, fmnist_curl_xferinfo_callback callback) {
    return curl_easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, callback);
}

static inline CURLcode fmnist_curl_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLcode fmnist_curl_getinfo_off(CURL *handle, CURLINFO info, curl_off_t *value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLcode fmnist_curl_getinfo_string(CURL *handle, CURLINFO info, char **value) {
    return curl_easy_getinfo(handle, info, value);
}

/* CURL_WRITEFUNC_PAUSE etc. are macros; expose the values a Swift callback may return. */
static inline size_t fmnist_curl_write_abort(void) { return 0; }

/* curl_global_init flags are macros; call it with the default set once per process. */
static inline CURLcode fmnist_curl_global_init(void) { return curl_global_init(CURL_GLOBAL_DEFAULT); }

/* The size of the buffer CURLOPT_ERRORBUFFER must point to. */
static inline size_t fmnist_curl_error_size(void) { return CURL_ERROR_SIZE; }

/* The libcurl version string, e.g. "libcurl/7.88.1 OpenSSL/3.0.19 ...". */
static inline const char *fmnist_curl_version(void) { return curl_version(); }
#endif
