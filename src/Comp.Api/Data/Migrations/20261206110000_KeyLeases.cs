using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Comp.Api.Data.Migrations
{
    /// <summary>
    /// Key leases (Auth/ApiKeyLeases.cs): an instance that holds an unexpired lease, taken at the key
    /// table's current version, checks keys from memory without asking the primary. A transaction
    /// that revokes, narrows or deletes keys (an UPDATE, DELETE or TRUNCATE of <c>api_keys</c>, by
    /// the API or by hand) therefore waits, before it commits, until every lease has expired: with
    /// the version row locked no lease can be renewed, so once it commits every instance either has
    /// no lease (and asks the primary per request, as before) or took its lease at the new version.
    /// A key that is created needs no wait: an instance that does not know a key asks the primary.
    /// In READ COMMITTED each statement of the wait sees leases renewed up to the lock; in a stricter
    /// isolation level it cannot, so the wait is the longest lease an instance may take (5 s).
    /// </summary>
    [DbContext(typeof(CompDbContext))]
    [Migration("20261206110000_KeyLeases")]
    public partial class KeyLeases : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                CREATE TABLE api_key_leases (
                    instance text PRIMARY KEY,
                    seen xid8 NOT NULL,
                    expires_at timestamptz NOT NULL);

                CREATE OR REPLACE FUNCTION api_keys_changed() RETURNS trigger LANGUAGE plpgsql AS $$
                DECLARE
                    until timestamptz;
                BEGIN
                    -- Locks the version row: no lease is renewed from here until this transaction ends.
                    INSERT INTO api_keys_version (id, changed_by) VALUES (true, pg_current_xact_id())
                    ON CONFLICT (id) DO UPDATE SET changed_by = excluded.changed_by;
                    IF TG_OP = 'INSERT' THEN
                        RETURN NULL;
                    END IF;
                    IF current_setting('transaction_isolation') = 'read committed' THEN
                        SELECT max(expires_at) INTO until FROM api_key_leases;
                    ELSE
                        until := clock_timestamp() + interval '5 seconds';
                    END IF;
                    WHILE until > clock_timestamp() LOOP
                        PERFORM pg_sleep(least(0.02, extract(epoch FROM until - clock_timestamp())));
                    END LOOP;
                    RETURN NULL;
                END $$;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                CREATE OR REPLACE FUNCTION api_keys_changed() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    INSERT INTO api_keys_version (id, changed_by) VALUES (true, pg_current_xact_id())
                    ON CONFLICT (id) DO UPDATE SET changed_by = excluded.changed_by;
                    RETURN NULL;
                END $$;
                DROP TABLE api_key_leases;
                """);
        }
    }
}
