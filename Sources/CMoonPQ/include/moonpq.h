#ifndef MOONPQ_H
#define MOONPQ_H
/* libpq's declarations (from Debian's libpq-dev); pq.c defines the functions moonlab uses by
   loading libpq.so.5 on first use instead of linking it. */
#include <postgresql/libpq-fe.h>

/* Whether libpq.so.5 could be loaded. */
int moon_pq_available(void);
#endif
