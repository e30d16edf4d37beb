/* libpq, loaded when first used: moonlab links no PostgreSQL client, so the twenty libraries
   libpq needs (TLS, Kerberos, LDAP, SASL, ...) cost nothing at start-up unless a sweep opens a
   postgresql:// storage. These definitions stand in for libpq's own (same names and types);
   each finds the real function in libpq.so.5 on its first call. Without libpq installed, a
   connection fails with a message saying so. */
#include "moonpq.h"
#include "moonload.h"

static moon_library library = MOON_LIBRARY("libpq.so.5");

int moon_pq_available(void) { return moon_library_load(&library); }

#define FORWARD(ret, name, params, args, missing) MOON_FORWARD(library, ret, name, params, args, missing)
#define FORWARD_VOID(name, params, args) MOON_FORWARD_VOID(library, name, params, args)

FORWARD(PGconn *, PQconnectdbParams, (const char *const *keys, const char *const *values, int expand),
        (keys, values, expand), NULL)
FORWARD(ConnStatusType, PQstatus, (const PGconn *conn), (conn), CONNECTION_BAD)
FORWARD(char *, PQerrorMessage, (const PGconn *conn), (conn),
        "the PostgreSQL client library (libpq.so.5) could not be loaded: install libpq5")
FORWARD_VOID(PQfinish, (PGconn *conn), (conn))
FORWARD(PQnoticeProcessor, PQsetNoticeProcessor, (PGconn *conn, PQnoticeProcessor proc, void *arg),
        (conn, proc, arg), NULL)
FORWARD(PGresult *, PQexec, (PGconn *conn, const char *query), (conn, query), NULL)
FORWARD(PGresult *, PQexecParams,
        (PGconn *conn, const char *command, int nParams, const Oid *paramTypes, const char *const *paramValues,
         const int *paramLengths, const int *paramFormats, int resultFormat),
        (conn, command, nParams, paramTypes, paramValues, paramLengths, paramFormats, resultFormat), NULL)
FORWARD(ExecStatusType, PQresultStatus, (const PGresult *res), (res), PGRES_FATAL_ERROR)
FORWARD(char *, PQresultErrorMessage, (const PGresult *res), (res), "libpq is not loaded")
FORWARD(char *, PQresultErrorField, (const PGresult *res, int fieldcode), (res, fieldcode), NULL)
FORWARD_VOID(PQclear, (PGresult *res), (res))
FORWARD(int, PQntuples, (const PGresult *res), (res), 0)
FORWARD(char *, PQgetvalue, (const PGresult *res, int tup_num, int field_num), (res, tup_num, field_num), NULL)
FORWARD(int, PQgetlength, (const PGresult *res, int tup_num, int field_num), (res, tup_num, field_num), 0)
FORWARD(int, PQgetisnull, (const PGresult *res, int tup_num, int field_num), (res, tup_num, field_num), 1)
