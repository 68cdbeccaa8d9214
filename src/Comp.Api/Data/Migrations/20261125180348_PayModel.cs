using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

#pragma warning disable CA1814 // Prefer jagged arrays over multidimensional

namespace Comp.Api.Data.Migrations
{
    /// <inheritdoc />
    public partial class PayModel : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "level_mapped",
                table: "datapoints",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.CreateTable(
                name: "employer_levels",
                columns: table => new
                {
                    employer_id = table.Column<int>(type: "integer", nullable: false),
                    name = table.Column<string>(type: "character varying(50)", maxLength: 50, nullable: false),
                    level = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false, collation: "C")
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_employer_levels", x => new { x.employer_id, x.name });
                    table.ForeignKey(
                        name: "fk_employer_levels_employers_employer_id",
                        column: x => x.employer_id,
                        principalTable: "employers",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_employer_levels_levels_level",
                        column: x => x.level,
                        principalTable: "levels",
                        principalColumn: "code",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "fx_rates",
                columns: table => new
                {
                    currency = table.Column<string>(type: "character(3)", fixedLength: true, maxLength: 3, nullable: false),
                    date = table.Column<DateOnly>(type: "date", nullable: false),
                    usd_per_unit = table.Column<decimal>(type: "numeric(20,10)", precision: 20, scale: 10, nullable: false),
                    source = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_fx_rates", x => new { x.currency, x.date });
                    table.CheckConstraint("ck_fx_rates_positive", "usd_per_unit > 0");
                });

            migrationBuilder.InsertData(
                table: "fx_rates",
                columns: new[] { "currency", "date", "source", "usd_per_unit" },
                values: new object[,]
                {
                    { "AUD", new DateOnly(2019, 1, 1), "Federal Reserve G.5A, 2019 annual average", 0.6952m },
                    { "AUD", new DateOnly(2021, 1, 1), "ai-jobs.net salary data (CC0), salary_in_usd / salary, 2021", 0.7505m },
                    { "AUD", new DateOnly(2022, 1, 1), "ai-jobs.net salary data (CC0), salary_in_usd / salary, 2022", 0.6930880829m },
                    { "AUD", new DateOnly(2023, 1, 1), "ai-jobs.net salary data (CC0), salary_in_usd / salary, 2023", 0.68318m },
                    { "AUD", new DateOnly(2024, 4, 1), "Federal Reserve G.5, 2024-04 monthly average", 0.6506m },
                    { "AUD", new DateOnly(2024, 5, 1), "Federal Reserve G.5, 2024-05 monthly average", 0.6626m },
                    { "AUD", new DateOnly(2024, 6, 1), "Federal Reserve G.5, 2024-06 monthly average", 0.6642m },
                    { "BRL", new DateOnly(2019, 1, 1), "Federal Reserve G.5A, 2019 annual average", 0.2535496957m },
                    { "BRL", new DateOnly(2021, 1, 1), "ai-jobs.net salary data (CC0), salary_in_usd / salary, 2021", 0.1853627451m },
                    { "BRL", new DateOnly(2022, 1, 1), "ai-jobs.net salary data (CC0), salary_in_usd / salary, 2022", 0.1935208333m },
                    { "BRL", new DateOnly(2023, 1, 1), "ai-jobs.net salary data (CC0), salary_in_usd / salary, 2023", 0.1925246548m },
                    { "BRL", new DateOnly(2024, 4, 1), "Federal Reserve G.5, 2024-04 monthly average", 0.1949317739m },
                    { "BRL", new DateOnly(2024, 5, 1), "Federal Reserve G.5, 2024-05 monthly average", 0.1946737268m },
                    { "BRL", new DateOnly(2024, 6, 1), "Federal Reserve G.5, 2024-06 monthly average", 0.1856630957m },
                    { "CAD", new DateOnly(2019, 1, 1), "Federal Reserve G.5A, 2019 annual average", 0.7536362951m },
                    { "CAD", new DateOnly(2020, 1, 1), "ai-jobs.net salary data (CC0), salary_in_usd / salary, 2020", 0.7458853503m },
                    { "CAD", new DateOnly(2021, 1, 1), "ai-jobs.net salary data (CC0), salary_in_usd / salary, 2021", 0.7976255319m },
                    { "CAD", new DateOnly(2022, 1, 1), "ai-jobs.net salary data (CC0), salary_in_usd / salary, 2022", 0.768148m },
                    { "CAD", new DateOnly(2023, 1, 1), "ai-jobs.net salary data (CC0), salary_in_usd / salary, 2023", 0.7393294118m },
                    { "CAD", new DateOnly(2024, 4, 1), "Federal Reserve G.5, 2024-04 monthly average", 0.7313149042m },
                    { "CAD", new DateOnly(2024, 5, 1), "Federal Reserve G.5, 2024-05 monthly average", 0.7316894710m },
                    { "CAD", new DateOnly(2024, 6, 1), "Federal Reserve G.5, 2024-06 monthly average", 0.7296607078m },
                    { "CHF", new DateOnly(2019, 1, 1), "Federal Reserve G.5A, 2019 annual average", 1.006339942m },
                    { "CHF", new DateOnly(2022, 1, 1), "ai-jobs.net salary data (CC0), salary_in_usd / salary, 2022", 1.046973913m },
                    { "CHF", new DateOnly(2023, 1, 1), "ai-jobs.net salary data (CC0), salary_in_usd / salary, 2023", 1.0811875m },
                    { "CHF", new DateOnly(2024, 4, 1), "Federal Reserve G.5, 2024-04 monthly average", 1.099021871m },
                    { "CHF", new DateOnly(2024, 5, 1), "Federal Reserve G.5, 2024-05 monthly average", 1.100352113m },
                    { "CHF", new DateOnly(2024, 6, 1), "Federal Reserve G.5, 2024-06 monthly average", 1.118818528m },
                    { "CLP", new DateOnly(2021, 1, 1), "ai-jobs.net salary data (CC0), salary_in_usd / salary, 2021", 0.001317039474m },
                    { "CNY", new DateOnly(2019, 1, 1), "Federal Reserve G.5A, 2019 annual average", 0.1447576034m },
                    { "CNY", new DateOnly(2024, 4, 1), "Federal Reserve G.5, 2024-04 monthly average", 0.1381711664m },
                    { "CNY", new DateOnly(2024, 5, 1), "Federal Reserve G.5, 2024-05 monthly average", 0.1382609537m },
                    { "CNY", new DateOnly(2024, 6, 1), "Federal Reserve G.5, 2024-06 monthly average", 0.1378416751m },
                    { "CZK", new DateOnly(2022, 1, 1), "ai-jobs.net salary data (CC0), salary_in_usd / salary, 2022", 0.04276666667m },
                    { "DKK", new DateOnly(2019, 1, 1), "Federal Reserve G.5A, 2019 annual average", 0.1499182945m },
                    { "DKK", new DateOnly(2020, 1, 1), "ai-jobs.net salary data (CC0), salary_in_usd / salary, 2020", 0.1529866667m },
                    { "DKK", new DateOnly(2021, 1, 1), "ai-jobs.net salary data (CC0), salary_in_usd / salary, 2021", 0.1589388889m },
                    { "DKK", new DateOnly(2024, 4, 1), "Federal Reserve G.5, 2024-04 monthly average", 0.1437277222m },
                    { "DKK", new DateOnly(2024, 5, 1), "Federal Reserve G.5, 2024-05 monthly average", 0.1449128349m },
                    { "DKK", new DateOnly(2024, 6, 1), "Federal Reserve G.5, 2024-06 monthly average", 0.1442252221m },
                    { "EUR", new DateOnly(2019, 1, 1), "Federal Reserve G.5A, 2019 annual average", 1.1194m },
                    { "EUR", new DateOnly(2020, 1, 1), "ai-jobs.net salary data (CC0), salary_in_usd / salary, 2020", 1.140469231m },
                    { "EUR", new DateOnly(2021, 1, 1), "ai-jobs.net salary data (CC0), salary_in_usd / salary, 2021", 1.182054422m },
                    { "EUR", new DateOnly(2022, 1, 1), "ai-jobs.net salary data (CC0), salary_in_usd / salary, 2022", 1.050664634m },
                    { "EUR", new DateOnly(2023, 1, 1), "ai-jobs.net salary data (CC0), salary_in_usd / salary, 2023", 1.07309m },
                    { "EUR", new DateOnly(2024, 4, 1), "Federal Reserve G.5, 2024-04 monthly average", 1.0724m },
                    { "EUR", new DateOnly(2024, 5, 1), "Federal Reserve G.5, 2024-05 monthly average", 1.0810m },
                    { "EUR", new DateOnly(2024, 6, 1), "Federal Reserve G.5, 2024-06 monthly average", 1.0763m },
                    { "GBP", new DateOnly(2019, 1, 1), "Federal Reserve G.5A, 2019 annual average", 1.2768m },
                    { "GBP", new DateOnly(2020, 1, 1), "ai-jobs.net salary data (CC0), salary_in_usd / salary, 2020", 1.282636364m },
                    { "GBP", new DateOnly(2021, 1, 1), "ai-jobs.net salary data (CC0), salary_in_usd / salary, 2021", 1.375458824m },
                    { "GBP", new DateOnly(2022, 1, 1), "ai-jobs.net salary data (CC0), salary_in_usd / salary, 2022", 1.231334286m },
                    { "GBP", new DateOnly(2023, 1, 1), "ai-jobs.net salary data (CC0), salary_in_usd / salary, 2023", 1.215229529m },
                    { "GBP", new DateOnly(2024, 4, 1), "Federal Reserve G.5, 2024-04 monthly average", 1.2517m },
                    { "GBP", new DateOnly(2024, 5, 1), "Federal Reserve G.5, 2024-05 monthly average", 1.2636m },
                    { "GBP", new DateOnly(2024, 6, 1), "Federal Reserve G.5, 2024-06 monthly average", 1.2716m },
                    { "HKD", new DateOnly(2019, 1, 1), "Federal Reserve G.5A, 2019 annual average", 0.1276307897m },
                    { "HKD", new DateOnly(2023, 1, 1), "ai-jobs.net salary data (CC0), salary_in_usd / salary, 2023", 0.1275725490m },
                    { "HKD", new DateOnly(2024, 4, 1), "Federal Reserve G.5, 2024-04 monthly average", 0.1277057659m },
                    { "HKD", new DateOnly(2024, 5, 1), "Federal Reserve G.5, 2024-05 monthly average", 0.1280098312m },
                    { "HKD", new DateOnly(2024, 6, 1), "Federal Reserve G.5, 2024-06 monthly average", 0.1280409731m },
                    { "HUF", new DateOnly(2020, 1, 1), "ai-jobs.net salary data (CC0), salary_in_usd / salary, 2020", 0.003248636364m },
                    { "HUF", new DateOnly(2021, 1, 1), "ai-jobs.net salary data (CC0), salary_in_usd / salary, 2021", 0.003296272727m },
                    { "HUF", new DateOnly(2022, 1, 1), "ai-jobs.net salary data (CC0), salary_in_usd / salary, 2022", 0.002679393939m },
                    { "ILS", new DateOnly(2023, 1, 1), "ai-jobs.net salary data (CC0), salary_in_usd / salary, 2023", 0.282556m },
                    { "INR", new DateOnly(2019, 1, 1), "Federal Reserve G.5A, 2019 annual average", 0.01420904633m },
                    { "INR", new DateOnly(2020, 1, 1), "ai-jobs.net salary data (CC0), salary_in_usd / salary, 2020", 0.01349366667m },
                    { "INR", new DateOnly(2021, 1, 1), "ai-jobs.net salary data (CC0), salary_in_usd / salary, 2021", 0.01352357143m },
                    { "INR", new DateOnly(2022, 1, 1), "ai-jobs.net salary data (CC0), salary_in_usd / salary, 2022", 0.01271813333m },
                    { "INR", new DateOnly(2023, 1, 1), "ai-jobs.net salary data (CC0), salary_in_usd / salary, 2023", 0.012159m },
                    { "INR", new DateOnly(2024, 4, 1), "Federal Reserve G.5, 2024-04 monthly average", 0.01199086776m },
                    { "INR", new DateOnly(2024, 5, 1), "Federal Reserve G.5, 2024-05 monthly average", 0.01199223383m },
                    { "INR", new DateOnly(2024, 6, 1), "Federal Reserve G.5, 2024-06 monthly average", 0.01198178768m },
                    { "JPY", new DateOnly(2019, 1, 1), "Federal Reserve G.5A, 2019 annual average", 0.009172729841m },
                    { "JPY", new DateOnly(2020, 1, 1), "ai-jobs.net salary data (CC0), salary_in_usd / salary, 2020", 0.009368314607m },
                    { "JPY", new DateOnly(2021, 1, 1), "ai-jobs.net salary data (CC0), salary_in_usd / salary, 2021", 0.009101647059m },
                    { "JPY", new DateOnly(2024, 4, 1), "Federal Reserve G.5, 2024-04 monthly average", 0.006498148028m },
                    { "JPY", new DateOnly(2024, 5, 1), "Federal Reserve G.5, 2024-05 monthly average", 0.006415639790m },
                    { "JPY", new DateOnly(2024, 6, 1), "Federal Reserve G.5, 2024-06 monthly average", 0.006334726973m },
                    { "KRW", new DateOnly(2019, 1, 1), "Federal Reserve G.5A, 2019 annual average", 0.0008577788879m },
                    { "KRW", new DateOnly(2024, 4, 1), "Federal Reserve G.5, 2024-04 monthly average", 0.0007310713741m },
                    { "KRW", new DateOnly(2024, 5, 1), "Federal Reserve G.5, 2024-05 monthly average", 0.0007327488391m },
                    { "KRW", new DateOnly(2024, 6, 1), "Federal Reserve G.5, 2024-06 monthly average", 0.0007251355024m },
                    { "LKR", new DateOnly(2019, 1, 1), "Federal Reserve G.5A, 2019 annual average", 0.005601810953m },
                    { "LKR", new DateOnly(2024, 4, 1), "Federal Reserve G.5, 2024-04 monthly average", 0.003344842938m },
                    { "LKR", new DateOnly(2024, 5, 1), "Federal Reserve G.5, 2024-05 monthly average", 0.003338036627m },
                    { "LKR", new DateOnly(2024, 6, 1), "Federal Reserve G.5, 2024-06 monthly average", 0.003290676297m },
                    { "MXN", new DateOnly(2019, 1, 1), "Federal Reserve G.5A, 2019 annual average", 0.05195641896m },
                    { "MXN", new DateOnly(2020, 1, 1), "ai-jobs.net salary data (CC0), salary_in_usd / salary, 2020", 0.04654305556m },
                    { "MXN", new DateOnly(2024, 4, 1), "Federal Reserve G.5, 2024-04 monthly average", 0.05952097519m },
                    { "MXN", new DateOnly(2024, 5, 1), "Federal Reserve G.5, 2024-05 monthly average", 0.05951211964m },
                    { "MXN", new DateOnly(2024, 6, 1), "Federal Reserve G.5, 2024-06 monthly average", 0.05496136216m },
                    { "MYR", new DateOnly(2019, 1, 1), "Federal Reserve G.5A, 2019 annual average", 0.2414525787m },
                    { "MYR", new DateOnly(2024, 4, 1), "Federal Reserve G.5, 2024-04 monthly average", 0.2098679930m },
                    { "MYR", new DateOnly(2024, 5, 1), "Federal Reserve G.5, 2024-05 monthly average", 0.2120530981m },
                    { "MYR", new DateOnly(2024, 6, 1), "Federal Reserve G.5, 2024-06 monthly average", 0.2123367661m },
                    { "NOK", new DateOnly(2019, 1, 1), "Federal Reserve G.5A, 2019 annual average", 0.1136350723m },
                    { "NOK", new DateOnly(2024, 4, 1), "Federal Reserve G.5, 2024-04 monthly average", 0.09169432779m },
                    { "NOK", new DateOnly(2024, 5, 1), "Federal Reserve G.5, 2024-05 monthly average", 0.09307260594m },
                    { "NOK", new DateOnly(2024, 6, 1), "Federal Reserve G.5, 2024-06 monthly average", 0.09420276202m },
                    { "NZD", new DateOnly(2019, 1, 1), "Federal Reserve G.5A, 2019 annual average", 0.6591m },
                    { "NZD", new DateOnly(2024, 4, 1), "Federal Reserve G.5, 2024-04 monthly average", 0.5957m },
                    { "NZD", new DateOnly(2024, 5, 1), "Federal Reserve G.5, 2024-05 monthly average", 0.6066m },
                    { "NZD", new DateOnly(2024, 6, 1), "Federal Reserve G.5, 2024-06 monthly average", 0.6139m },
                    { "PLN", new DateOnly(2021, 1, 1), "ai-jobs.net salary data (CC0), salary_in_usd / salary, 2021", 0.2588722222m },
                    { "PLN", new DateOnly(2022, 1, 1), "ai-jobs.net salary data (CC0), salary_in_usd / salary, 2022", 0.2240656566m },
                    { "PLN", new DateOnly(2023, 1, 1), "ai-jobs.net salary data (CC0), salary_in_usd / salary, 2023", 0.2279358974m },
                    { "SEK", new DateOnly(2019, 1, 1), "Federal Reserve G.5A, 2019 annual average", 0.1057037757m },
                    { "SEK", new DateOnly(2024, 4, 1), "Federal Reserve G.5, 2024-04 monthly average", 0.09245733094m },
                    { "SEK", new DateOnly(2024, 5, 1), "Federal Reserve G.5, 2024-05 monthly average", 0.09302239049m },
                    { "SEK", new DateOnly(2024, 6, 1), "Federal Reserve G.5, 2024-06 monthly average", 0.09535615524m },
                    { "SGD", new DateOnly(2019, 1, 1), "Federal Reserve G.5A, 2019 annual average", 0.7330840847m },
                    { "SGD", new DateOnly(2021, 1, 1), "ai-jobs.net salary data (CC0), salary_in_usd / salary, 2021", 0.74411875m },
                    { "SGD", new DateOnly(2022, 1, 1), "ai-jobs.net salary data (CC0), salary_in_usd / salary, 2022", 0.7250777778m },
                    { "SGD", new DateOnly(2023, 1, 1), "ai-jobs.net salary data (CC0), salary_in_usd / salary, 2023", 0.7502m },
                    { "SGD", new DateOnly(2024, 4, 1), "Federal Reserve G.5, 2024-04 monthly average", 0.7370283019m },
                    { "SGD", new DateOnly(2024, 5, 1), "Federal Reserve G.5, 2024-05 monthly average", 0.7402472426m },
                    { "SGD", new DateOnly(2024, 6, 1), "Federal Reserve G.5, 2024-06 monthly average", 0.7398091292m },
                    { "THB", new DateOnly(2019, 1, 1), "Federal Reserve G.5A, 2019 annual average", 0.03221452295m },
                    { "THB", new DateOnly(2023, 1, 1), "ai-jobs.net salary data (CC0), salary_in_usd / salary, 2023", 0.029453m },
                    { "THB", new DateOnly(2024, 4, 1), "Federal Reserve G.5, 2024-04 monthly average", 0.02719845078m },
                    { "THB", new DateOnly(2024, 5, 1), "Federal Reserve G.5, 2024-05 monthly average", 0.02729630135m },
                    { "THB", new DateOnly(2024, 6, 1), "Federal Reserve G.5, 2024-06 monthly average", 0.02724090494m },
                    { "TRY", new DateOnly(2021, 1, 1), "ai-jobs.net salary data (CC0), salary_in_usd / salary, 2021", 0.112064m },
                    { "TWD", new DateOnly(2019, 1, 1), "Federal Reserve G.5A, 2019 annual average", 0.03235732845m },
                    { "TWD", new DateOnly(2024, 4, 1), "Federal Reserve G.5, 2024-04 monthly average", 0.03092624092m },
                    { "TWD", new DateOnly(2024, 5, 1), "Federal Reserve G.5, 2024-05 monthly average", 0.03093236329m },
                    { "TWD", new DateOnly(2024, 6, 1), "Federal Reserve G.5, 2024-06 monthly average", 0.03088631366m },
                    { "ZAR", new DateOnly(2019, 1, 1), "Federal Reserve G.5A, 2019 annual average", 0.06921612736m },
                    { "ZAR", new DateOnly(2024, 4, 1), "Federal Reserve G.5, 2024-04 monthly average", 0.05296750444m },
                    { "ZAR", new DateOnly(2024, 5, 1), "Federal Reserve G.5, 2024-05 monthly average", 0.05430709577m },
                    { "ZAR", new DateOnly(2024, 6, 1), "Federal Reserve G.5, 2024-06 monthly average", 0.05426200954m }
                });

            migrationBuilder.CreateIndex(
                name: "ix_employer_levels_level",
                table: "employer_levels",
                column: "level");

            // Level mappings and FX rates change band answers too: they move the dataset version.
            migrationBuilder.Sql("""
                CREATE TRIGGER employer_levels_dataset_version
                    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON employer_levels
                    FOR EACH STATEMENT EXECUTE FUNCTION bump_dataset_version();
                CREATE TRIGGER fx_rates_dataset_version
                    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON fx_rates
                    FOR EACH STATEMENT EXECUTE FUNCTION bump_dataset_version();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS employer_levels_dataset_version ON employer_levels; DROP TRIGGER IF EXISTS fx_rates_dataset_version ON fx_rates;");

            migrationBuilder.DropTable(
                name: "employer_levels");

            migrationBuilder.DropTable(
                name: "fx_rates");

            migrationBuilder.DropColumn(
                name: "level_mapped",
                table: "datapoints");
        }
    }
}
