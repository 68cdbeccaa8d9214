using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Comp.Api.Data.Migrations
{
    /// <summary>
    /// The key table's version, for the in-memory key cache (Auth/ApiKeyCache.cs): one row holding the
    /// id of the last transaction that inserted, deleted or truncated keys or changed what a key is
    /// (every column but <c>last_used_at</c>, which the background writer updates). Transaction ids
    /// never repeat, so the version cannot come back even if the row is deleted and made again.
    /// </summary>
    public partial class KeyTableVersion : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                CREATE TABLE api_keys_version (
                    id boolean PRIMARY KEY DEFAULT true CHECK (id),
                    changed_by xid8 NOT NULL);
                INSERT INTO api_keys_version (id, changed_by) VALUES (true, pg_current_xact_id());

                CREATE FUNCTION api_keys_changed() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    INSERT INTO api_keys_version (id, changed_by) VALUES (true, pg_current_xact_id())
                    ON CONFLICT (id) DO UPDATE SET changed_by = excluded.changed_by;
                    RETURN NULL;
                END $$;

                CREATE TRIGGER api_keys_changed
                    AFTER INSERT OR DELETE OR UPDATE OF id, name, scopes, secret_hash, created_at, revoked_at ON api_keys
                    FOR EACH STATEMENT EXECUTE FUNCTION api_keys_changed();
                CREATE TRIGGER api_keys_truncated AFTER TRUNCATE ON api_keys
                    FOR EACH STATEMENT EXECUTE FUNCTION api_keys_changed();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER api_keys_truncated ON api_keys;
                DROP TRIGGER api_keys_changed ON api_keys;
                DROP FUNCTION api_keys_changed();
                DROP TABLE api_keys_version;
                """);
        }
    }
}
