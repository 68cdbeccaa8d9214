using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Comp.Api.Data.Migrations
{
    /// <inheritdoc />
    public partial class BandIndexesCoverYearsOfExperience : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_datapoints_band_employer_role",
                table: "datapoints");

            migrationBuilder.DropIndex(
                name: "ix_datapoints_band_role_region",
                table: "datapoints");

            migrationBuilder.CreateIndex(
                name: "ix_datapoints_band_employer_role",
                table: "datapoints",
                columns: new[] { "employer_id", "role", "effective_date" })
                .Annotation("Npgsql:IndexInclude", new[] { "region", "level", "currency", "base_salary", "target_bonus", "sign_on_bonus", "equity_grant", "equity_vesting_years", "retention_grant", "retention_vesting_years", "source", "verified", "years_of_experience" });

            migrationBuilder.CreateIndex(
                name: "ix_datapoints_band_role_region",
                table: "datapoints",
                columns: new[] { "role", "region", "effective_date" })
                .Annotation("Npgsql:IndexInclude", new[] { "employer_id", "level", "currency", "base_salary", "target_bonus", "sign_on_bonus", "equity_grant", "equity_vesting_years", "retention_grant", "retention_vesting_years", "source", "verified", "years_of_experience" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_datapoints_band_employer_role",
                table: "datapoints");

            migrationBuilder.DropIndex(
                name: "ix_datapoints_band_role_region",
                table: "datapoints");

            migrationBuilder.CreateIndex(
                name: "ix_datapoints_band_employer_role",
                table: "datapoints",
                columns: new[] { "employer_id", "role", "effective_date" })
                .Annotation("Npgsql:IndexInclude", new[] { "region", "level", "currency", "base_salary", "target_bonus", "sign_on_bonus", "equity_grant", "equity_vesting_years", "retention_grant", "retention_vesting_years", "source", "verified" });

            migrationBuilder.CreateIndex(
                name: "ix_datapoints_band_role_region",
                table: "datapoints",
                columns: new[] { "role", "region", "effective_date" })
                .Annotation("Npgsql:IndexInclude", new[] { "employer_id", "level", "currency", "base_salary", "target_bonus", "sign_on_bonus", "equity_grant", "equity_vesting_years", "retention_grant", "retention_vesting_years", "source", "verified" });
        }
    }
}
