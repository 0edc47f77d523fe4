#ifndef FMNIST_CSQLITE_SHIM_H
#define FMNIST_CSQLITE_SHIM_H
#include <sqlite3.h>

/// SQLITE_TRANSIENT is a cast macro ((sqlite3_destructor_type)-1) Swift cannot import.
static inline sqlite3_destructor_type fmnist_sqlite_transient(void) {
    return SQLITE_TRANSIENT;
}

/// Bind text with SQLITE_TRANSIENT so SQLite copies the bytes before Swift frees them.
static inline int fmnist_sqlite_bind_text(sqlite3_stmt *stmt, int index, const char *text, int length) {
    return sqlite3_bind_text(stmt, index, text, length, SQLITE_TRANSIENT);
}

/// Bind a blob with SQLITE_TRANSIENT.
static inline int fmnist_sqlite_bind_blob(sqlite3_stmt *stmt, int index, const void *bytes, int length) {
    return sqlite3_bind_blob(stmt, index, bytes, length, SQLITE_TRANSIENT);
}
#endif
