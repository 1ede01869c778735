/* migrations.h - the numbered schema migrations, one script per dialect.
 *
 * Private to src/store/. db.c applies them in order at open, each in its own
 * transaction, and records each in schema_migrations. A migration, once released,
 * is never edited: a change to the schema is a new number. */
#ifndef CW_STORE_MIGRATIONS_H
#define CW_STORE_MIGRATIONS_H

struct cw_migration {
	int version;      /* 1, 2, 3, … increasing */
	const char *name; /* for the log */
	const char *sqlite;
	const char *pg;
};

extern const struct cw_migration cw_migrations[];
extern const int cw_migrations_count;

#endif
