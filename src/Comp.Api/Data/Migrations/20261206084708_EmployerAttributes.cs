using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Comp.Api.Data.Migrations
{
    /// <summary>
    /// Employer attributes (issue 18): industry from a controlled list seeded here, stage, headcount
    /// band and headquarters region.
    /// </summary>
    public partial class EmployerAttributes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "headcount",
                table: "employers",
                type: "character varying(20)",
                maxLength: 20,
                nullable: true,
                collation: "C");

            migrationBuilder.AddColumn<string>(
                name: "hq",
                table: "employers",
                type: "character varying(100)",
                maxLength: 100,
                nullable: true,
                collation: "C");

            migrationBuilder.AddColumn<string>(
                name: "industry",
                table: "employers",
                type: "character varying(100)",
                maxLength: 100,
                nullable: true,
                collation: "C");

            migrationBuilder.AddColumn<string>(
                name: "stage",
                table: "employers",
                type: "character varying(20)",
                maxLength: 20,
                nullable: true,
                collation: "C");

            migrationBuilder.CreateTable(
                name: "industries",
                columns: table => new
                {
                    slug = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false, collation: "C"),
                    name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_industries", x => x.slug);
                });

            // The seed list (Data/EmployerAttributes.cs SeedIndustries), written out: a migration does not change with the code.
            migrationBuilder.InsertData(
                table: "industries",
                columns: ["slug", "name"],
                values: new object[,]
                {
                    { "ai-lab", "AI lab" }, { "big-tech", "Big tech" }, { "fintech", "Fintech" }, { "saas", "SaaS" },
                    { "hardware", "Hardware" }, { "consulting", "Consulting" }, { "public-sector", "Public sector" },
                });

            migrationBuilder.CreateIndex(
                name: "ix_employers_hq",
                table: "employers",
                column: "hq");

            migrationBuilder.CreateIndex(
                name: "ix_employers_industry",
                table: "employers",
                column: "industry");

            migrationBuilder.AddCheckConstraint(
                name: "ck_employers_headcount",
                table: "employers",
                sql: "headcount IS NULL OR headcount IN ('1-50', '51-200', '201-1000', '1001-5000', '5001-20000', '20001-plus')");

            migrationBuilder.AddCheckConstraint(
                name: "ck_employers_stage",
                table: "employers",
                sql: "stage IS NULL OR stage IN ('public', 'private-late', 'private-growth', 'private-early', 'nonprofit', 'government')");

            migrationBuilder.AddForeignKey(
                name: "fk_employers_industries_industry",
                table: "employers",
                column: "industry",
                principalTable: "industries",
                principalColumn: "slug",
                onDelete: ReferentialAction.Restrict);

            migrationBuilder.AddForeignKey(
                name: "fk_employers_regions_hq",
                table: "employers",
                column: "hq",
                principalTable: "regions",
                principalColumn: "code",
                onDelete: ReferentialAction.Restrict);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "fk_employers_industries_industry",
                table: "employers");

            migrationBuilder.DropForeignKey(
                name: "fk_employers_regions_hq",
                table: "employers");

            migrationBuilder.DropTable(
                name: "industries");

            migrationBuilder.DropIndex(
                name: "ix_employers_hq",
                table: "employers");

            migrationBuilder.DropIndex(
                name: "ix_employers_industry",
                table: "employers");

            migrationBuilder.DropCheckConstraint(
                name: "ck_employers_headcount",
                table: "employers");

            migrationBuilder.DropCheckConstraint(
                name: "ck_employers_stage",
                table: "employers");

            migrationBuilder.DropColumn(
                name: "headcount",
                table: "employers");

            migrationBuilder.DropColumn(
                name: "hq",
                table: "employers");

            migrationBuilder.DropColumn(
                name: "industry",
                table: "employers");

            migrationBuilder.DropColumn(
                name: "stage",
                table: "employers");
        }
    }
}
