using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Comp.Api.Data.Migrations
{
    /// <summary>
    /// Saved peer groups (issue 18): a list of employer ids or a rule over employer attributes,
    /// owned by the key that made it.
    /// </summary>
    public partial class PeerGroups : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "peer_groups",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    api_key_id = table.Column<Guid>(type: "uuid", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false, defaultValueSql: "now()"),
                    employer_ids = table.Column<int[]>(type: "integer[]", nullable: true),
                    industries = table.Column<string[]>(type: "text[]", nullable: true),
                    stages = table.Column<string[]>(type: "text[]", nullable: true),
                    headcounts = table.Column<string[]>(type: "text[]", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_peer_groups", x => x.id);
                    table.CheckConstraint("ck_peer_groups_list_or_rule", "(employer_ids IS NOT NULL) = (industries IS NULL AND stages IS NULL AND headcounts IS NULL)");
                    table.ForeignKey(
                        name: "fk_peer_groups_api_keys_api_key_id",
                        column: x => x.api_key_id,
                        principalTable: "api_keys",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "ix_peer_groups_api_key_id",
                table: "peer_groups",
                column: "api_key_id");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "peer_groups");
        }
    }
}
