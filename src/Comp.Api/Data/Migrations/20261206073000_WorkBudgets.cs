using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Comp.Api.Data.Migrations
{
    /// <summary>
    /// The rate limits' shared budgets (Auth/WorkBudgets.cs): work units used per partition (a key or
    /// an anonymous client IP) and one-minute window, summed over every instance of the service.
    /// Instances add what they charged every few hundred milliseconds and read the totals back; rows
    /// of windows that have ended are deleted by the instances as they go.
    /// </summary>
    public partial class WorkBudgets : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                CREATE TABLE rate_budgets (
                    partition text NOT NULL,
                    window_start timestamptz NOT NULL,
                    used bigint NOT NULL CHECK (used >= 0),
                    PRIMARY KEY (window_start, partition));
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TABLE rate_budgets;");
        }
    }
}
