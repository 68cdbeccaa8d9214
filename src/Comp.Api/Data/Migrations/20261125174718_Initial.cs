using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

#pragma warning disable CA1814 // Prefer jagged arrays over multidimensional

namespace Comp.Api.Data.Migrations
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateSequence(
                name: "dataset_version");

            migrationBuilder.CreateTable(
                name: "api_keys",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    scopes = table.Column<string[]>(type: "text[]", nullable: false),
                    secret_hash = table.Column<byte[]>(type: "bytea", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false, defaultValueSql: "now()"),
                    revoked_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    last_used_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_api_keys", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "employers",
                columns: table => new
                {
                    id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    slug = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false, collation: "C"),
                    name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false, defaultValueSql: "now()")
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_employers", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "levels",
                columns: table => new
                {
                    code = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false, collation: "C"),
                    rank = table.Column<int>(type: "integer", nullable: false),
                    title = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_levels", x => x.code);
                });

            migrationBuilder.CreateTable(
                name: "regions",
                columns: table => new
                {
                    code = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false, collation: "C"),
                    name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    parent_code = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true, collation: "C"),
                    kind = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    currency = table.Column<string>(type: "character(3)", fixedLength: true, maxLength: 3, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_regions", x => x.code);
                    table.ForeignKey(
                        name: "fk_regions_regions_parent_code",
                        column: x => x.parent_code,
                        principalTable: "regions",
                        principalColumn: "code",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "roles",
                columns: table => new
                {
                    slug = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false, collation: "C"),
                    title = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    family = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_roles", x => x.slug);
                });

            migrationBuilder.CreateTable(
                name: "datapoints",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false, defaultValueSql: "gen_random_uuid()"),
                    employer_id = table.Column<int>(type: "integer", nullable: false),
                    role = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false, collation: "C"),
                    level = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: true, collation: "C"),
                    employer_level = table.Column<string>(type: "character varying(50)", maxLength: 50, nullable: true),
                    region = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false, collation: "C"),
                    currency = table.Column<string>(type: "character(3)", fixedLength: true, maxLength: 3, nullable: false),
                    effective_date = table.Column<DateOnly>(type: "date", nullable: false),
                    base_salary = table.Column<decimal>(type: "numeric(16,2)", precision: 16, scale: 2, nullable: false),
                    target_bonus = table.Column<decimal>(type: "numeric(16,2)", precision: 16, scale: 2, nullable: true),
                    sign_on_bonus = table.Column<decimal>(type: "numeric(16,2)", precision: 16, scale: 2, nullable: true),
                    equity_grant = table.Column<decimal>(type: "numeric(16,2)", precision: 16, scale: 2, nullable: true),
                    equity_vesting_years = table.Column<int>(type: "integer", nullable: false),
                    retention_grant = table.Column<decimal>(type: "numeric(16,2)", precision: 16, scale: 2, nullable: true),
                    retention_vesting_years = table.Column<int>(type: "integer", nullable: false),
                    years_of_experience = table.Column<decimal>(type: "numeric(4,1)", precision: 4, scale: 1, nullable: true),
                    source = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    source_note = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    verified = table.Column<bool>(type: "boolean", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false, defaultValueSql: "now()"),
                    api_key_id = table.Column<Guid>(type: "uuid", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_datapoints", x => x.id);
                    table.CheckConstraint("ck_datapoints_amounts", "base_salary >= 0 AND coalesce(target_bonus, 0) >= 0 AND coalesce(sign_on_bonus, 0) >= 0 AND coalesce(equity_grant, 0) >= 0 AND coalesce(retention_grant, 0) >= 0");
                    table.CheckConstraint("ck_datapoints_source", "source IN ('self_reported','offer_letter','employer_survey','public_filing','press_report','aggregator')");
                    table.CheckConstraint("ck_datapoints_vesting", "equity_vesting_years BETWEEN 1 AND 10 AND retention_vesting_years BETWEEN 1 AND 10");
                    table.ForeignKey(
                        name: "fk_datapoints_api_keys_api_key_id",
                        column: x => x.api_key_id,
                        principalTable: "api_keys",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_datapoints_employers_employer_id",
                        column: x => x.employer_id,
                        principalTable: "employers",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_datapoints_levels_level",
                        column: x => x.level,
                        principalTable: "levels",
                        principalColumn: "code",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_datapoints_regions_region",
                        column: x => x.region,
                        principalTable: "regions",
                        principalColumn: "code",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_datapoints_roles_role",
                        column: x => x.role,
                        principalTable: "roles",
                        principalColumn: "slug",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.InsertData(
                table: "levels",
                columns: new[] { "code", "rank", "title" },
                values: new object[,]
                {
                    { "L1", 1, "Entry" },
                    { "L2", 2, "Junior" },
                    { "L3", 3, "Mid-level" },
                    { "L4", 4, "Senior" },
                    { "L5", 5, "Staff" },
                    { "L6", 6, "Senior Staff" },
                    { "L7", 7, "Principal" },
                    { "L8", 8, "Distinguished" },
                    { "L9", 9, "Fellow" }
                });

            migrationBuilder.InsertData(
                table: "regions",
                columns: new[] { "code", "currency", "kind", "name", "parent_code" },
                values: new object[,]
                {
                    { "ad", "EUR", "country", "Andorra", null },
                    { "ae", "AED", "country", "United Arab Emirates", null },
                    { "af", "AFN", "country", "Afghanistan", null },
                    { "ag", "XCD", "country", "Antigua and Barbuda", null },
                    { "ai", "XCD", "country", "Anguilla", null },
                    { "al", "ALL", "country", "Albania", null },
                    { "am", "AMD", "country", "Armenia", null },
                    { "ao", "AOA", "country", "Angola", null },
                    { "aq", "USD", "country", "Antarctica", null },
                    { "ar", "ARS", "country", "Argentina", null },
                    { "as", "USD", "country", "American Samoa", null },
                    { "at", "EUR", "country", "Austria", null },
                    { "au", "AUD", "country", "Australia", null },
                    { "aw", "AWG", "country", "Aruba", null },
                    { "ax", "EUR", "country", "Åland Islands", null },
                    { "az", "AZN", "country", "Azerbaijan", null },
                    { "ba", "BAM", "country", "Bosnia and Herzegovina", null },
                    { "bb", "BBD", "country", "Barbados", null },
                    { "bd", "BDT", "country", "Bangladesh", null },
                    { "be", "EUR", "country", "Belgium", null },
                    { "bf", "XOF", "country", "Burkina Faso", null },
                    { "bg", "EUR", "country", "Bulgaria", null },
                    { "bh", "BHD", "country", "Bahrain", null },
                    { "bi", "BIF", "country", "Burundi", null },
                    { "bj", "XOF", "country", "Benin", null },
                    { "bl", "EUR", "country", "Saint Barthélemy", null },
                    { "bm", "BMD", "country", "Bermuda", null },
                    { "bn", "BND", "country", "Brunei", null },
                    { "bo", "BOB", "country", "Bolivia", null },
                    { "bq", "USD", "country", "Bonaire, Sint Eustatius and Saba", null },
                    { "br", "BRL", "country", "Brazil", null },
                    { "bs", "BSD", "country", "Bahamas", null },
                    { "bt", "BTN", "country", "Bhutan", null },
                    { "bv", "NOK", "country", "Bouvet Island", null },
                    { "bw", "BWP", "country", "Botswana", null },
                    { "by", "BYN", "country", "Belarus", null },
                    { "bz", "BZD", "country", "Belize", null },
                    { "ca", "CAD", "country", "Canada", null },
                    { "cc", "AUD", "country", "Cocos (Keeling) Islands", null },
                    { "cd", "CDF", "country", "Democratic Republic of the Congo", null },
                    { "cf", "XAF", "country", "Central African Republic", null },
                    { "cg", "XAF", "country", "Republic of the Congo", null },
                    { "ch", "CHF", "country", "Switzerland", null },
                    { "ci", "XOF", "country", "Côte d'Ivoire", null },
                    { "ck", "NZD", "country", "Cook Islands", null },
                    { "cl", "CLP", "country", "Chile", null },
                    { "cm", "XAF", "country", "Cameroon", null },
                    { "cn", "CNY", "country", "China", null },
                    { "co", "COP", "country", "Colombia", null },
                    { "cr", "CRC", "country", "Costa Rica", null },
                    { "cu", "CUP", "country", "Cuba", null },
                    { "cv", "CVE", "country", "Cabo Verde", null },
                    { "cw", "XCG", "country", "Curaçao", null },
                    { "cx", "AUD", "country", "Christmas Island", null },
                    { "cy", "EUR", "country", "Cyprus", null },
                    { "cz", "CZK", "country", "Czechia", null },
                    { "de", "EUR", "country", "Germany", null },
                    { "dj", "DJF", "country", "Djibouti", null },
                    { "dk", "DKK", "country", "Denmark", null },
                    { "dm", "XCD", "country", "Dominica", null },
                    { "do", "DOP", "country", "Dominican Republic", null },
                    { "dz", "DZD", "country", "Algeria", null },
                    { "ec", "USD", "country", "Ecuador", null },
                    { "ee", "EUR", "country", "Estonia", null },
                    { "eg", "EGP", "country", "Egypt", null },
                    { "eh", "MAD", "country", "Western Sahara", null },
                    { "er", "ERN", "country", "Eritrea", null },
                    { "es", "EUR", "country", "Spain", null },
                    { "et", "ETB", "country", "Ethiopia", null },
                    { "fi", "EUR", "country", "Finland", null },
                    { "fj", "FJD", "country", "Fiji", null },
                    { "fk", "FKP", "country", "Falkland Islands", null },
                    { "fm", "USD", "country", "Micronesia", null },
                    { "fo", "DKK", "country", "Faroe Islands", null },
                    { "fr", "EUR", "country", "France", null },
                    { "ga", "XAF", "country", "Gabon", null },
                    { "gb", "GBP", "country", "United Kingdom", null },
                    { "gd", "XCD", "country", "Grenada", null },
                    { "ge", "GEL", "country", "Georgia", null },
                    { "gf", "EUR", "country", "French Guiana", null },
                    { "gg", "GBP", "country", "Guernsey", null },
                    { "gh", "GHS", "country", "Ghana", null },
                    { "gi", "GIP", "country", "Gibraltar", null },
                    { "gl", "DKK", "country", "Greenland", null },
                    { "gm", "GMD", "country", "Gambia", null },
                    { "gn", "GNF", "country", "Guinea", null },
                    { "gp", "EUR", "country", "Guadeloupe", null },
                    { "gq", "XAF", "country", "Equatorial Guinea", null },
                    { "gr", "EUR", "country", "Greece", null },
                    { "gs", "GBP", "country", "South Georgia and the South Sandwich Islands", null },
                    { "gt", "GTQ", "country", "Guatemala", null },
                    { "gu", "USD", "country", "Guam", null },
                    { "gw", "XOF", "country", "Guinea-Bissau", null },
                    { "gy", "GYD", "country", "Guyana", null },
                    { "hk", "HKD", "country", "Hong Kong", null },
                    { "hm", "AUD", "country", "Heard Island and McDonald Islands", null },
                    { "hn", "HNL", "country", "Honduras", null },
                    { "hr", "EUR", "country", "Croatia", null },
                    { "ht", "HTG", "country", "Haiti", null },
                    { "hu", "HUF", "country", "Hungary", null },
                    { "id", "IDR", "country", "Indonesia", null },
                    { "ie", "EUR", "country", "Ireland", null },
                    { "il", "ILS", "country", "Israel", null },
                    { "im", "GBP", "country", "Isle of Man", null },
                    { "in", "INR", "country", "India", null },
                    { "io", "USD", "country", "British Indian Ocean Territory", null },
                    { "iq", "IQD", "country", "Iraq", null },
                    { "ir", "IRR", "country", "Iran", null },
                    { "is", "ISK", "country", "Iceland", null },
                    { "it", "EUR", "country", "Italy", null },
                    { "je", "GBP", "country", "Jersey", null },
                    { "jm", "JMD", "country", "Jamaica", null },
                    { "jo", "JOD", "country", "Jordan", null },
                    { "jp", "JPY", "country", "Japan", null },
                    { "ke", "KES", "country", "Kenya", null },
                    { "kg", "KGS", "country", "Kyrgyzstan", null },
                    { "kh", "KHR", "country", "Cambodia", null },
                    { "ki", "AUD", "country", "Kiribati", null },
                    { "km", "KMF", "country", "Comoros", null },
                    { "kn", "XCD", "country", "Saint Kitts and Nevis", null },
                    { "kp", "KPW", "country", "North Korea", null },
                    { "kr", "KRW", "country", "South Korea", null },
                    { "kw", "KWD", "country", "Kuwait", null },
                    { "ky", "KYD", "country", "Cayman Islands", null },
                    { "kz", "KZT", "country", "Kazakhstan", null },
                    { "la", "LAK", "country", "Laos", null },
                    { "lb", "LBP", "country", "Lebanon", null },
                    { "lc", "XCD", "country", "Saint Lucia", null },
                    { "li", "CHF", "country", "Liechtenstein", null },
                    { "lk", "LKR", "country", "Sri Lanka", null },
                    { "lr", "LRD", "country", "Liberia", null },
                    { "ls", "LSL", "country", "Lesotho", null },
                    { "lt", "EUR", "country", "Lithuania", null },
                    { "lu", "EUR", "country", "Luxembourg", null },
                    { "lv", "EUR", "country", "Latvia", null },
                    { "ly", "LYD", "country", "Libya", null },
                    { "ma", "MAD", "country", "Morocco", null },
                    { "mc", "EUR", "country", "Monaco", null },
                    { "md", "MDL", "country", "Moldova", null },
                    { "me", "EUR", "country", "Montenegro", null },
                    { "mf", "EUR", "country", "Saint Martin", null },
                    { "mg", "MGA", "country", "Madagascar", null },
                    { "mh", "USD", "country", "Marshall Islands", null },
                    { "mk", "MKD", "country", "North Macedonia", null },
                    { "ml", "XOF", "country", "Mali", null },
                    { "mm", "MMK", "country", "Myanmar", null },
                    { "mn", "MNT", "country", "Mongolia", null },
                    { "mo", "MOP", "country", "Macao", null },
                    { "mp", "USD", "country", "Northern Mariana Islands", null },
                    { "mq", "EUR", "country", "Martinique", null },
                    { "mr", "MRU", "country", "Mauritania", null },
                    { "ms", "XCD", "country", "Montserrat", null },
                    { "mt", "EUR", "country", "Malta", null },
                    { "mu", "MUR", "country", "Mauritius", null },
                    { "mv", "MVR", "country", "Maldives", null },
                    { "mw", "MWK", "country", "Malawi", null },
                    { "mx", "MXN", "country", "Mexico", null },
                    { "my", "MYR", "country", "Malaysia", null },
                    { "mz", "MZN", "country", "Mozambique", null },
                    { "na", "NAD", "country", "Namibia", null },
                    { "nc", "XPF", "country", "New Caledonia", null },
                    { "ne", "XOF", "country", "Niger", null },
                    { "nf", "AUD", "country", "Norfolk Island", null },
                    { "ng", "NGN", "country", "Nigeria", null },
                    { "ni", "NIO", "country", "Nicaragua", null },
                    { "nl", "EUR", "country", "Netherlands", null },
                    { "no", "NOK", "country", "Norway", null },
                    { "np", "NPR", "country", "Nepal", null },
                    { "nr", "AUD", "country", "Nauru", null },
                    { "nu", "NZD", "country", "Niue", null },
                    { "nz", "NZD", "country", "New Zealand", null },
                    { "om", "OMR", "country", "Oman", null },
                    { "pa", "USD", "country", "Panama", null },
                    { "pe", "PEN", "country", "Peru", null },
                    { "pf", "XPF", "country", "French Polynesia", null },
                    { "pg", "PGK", "country", "Papua New Guinea", null },
                    { "ph", "PHP", "country", "Philippines", null },
                    { "pk", "PKR", "country", "Pakistan", null },
                    { "pl", "PLN", "country", "Poland", null },
                    { "pm", "EUR", "country", "Saint Pierre and Miquelon", null },
                    { "pn", "NZD", "country", "Pitcairn Islands", null },
                    { "pr", "USD", "country", "Puerto Rico", null },
                    { "ps", "ILS", "country", "Palestine", null },
                    { "pt", "EUR", "country", "Portugal", null },
                    { "pw", "USD", "country", "Palau", null },
                    { "py", "PYG", "country", "Paraguay", null },
                    { "qa", "QAR", "country", "Qatar", null },
                    { "re", "EUR", "country", "Réunion", null },
                    { "ro", "RON", "country", "Romania", null },
                    { "rs", "RSD", "country", "Serbia", null },
                    { "ru", "RUB", "country", "Russia", null },
                    { "rw", "RWF", "country", "Rwanda", null },
                    { "sa", "SAR", "country", "Saudi Arabia", null },
                    { "sb", "SBD", "country", "Solomon Islands", null },
                    { "sc", "SCR", "country", "Seychelles", null },
                    { "sd", "SDG", "country", "Sudan", null },
                    { "se", "SEK", "country", "Sweden", null },
                    { "sg", "SGD", "country", "Singapore", null },
                    { "sh", "SHP", "country", "Saint Helena, Ascension and Tristan da Cunha", null },
                    { "si", "EUR", "country", "Slovenia", null },
                    { "sj", "NOK", "country", "Svalbard and Jan Mayen", null },
                    { "sk", "EUR", "country", "Slovakia", null },
                    { "sl", "SLE", "country", "Sierra Leone", null },
                    { "sm", "EUR", "country", "San Marino", null },
                    { "sn", "XOF", "country", "Senegal", null },
                    { "so", "SOS", "country", "Somalia", null },
                    { "sr", "SRD", "country", "Suriname", null },
                    { "ss", "SSP", "country", "South Sudan", null },
                    { "st", "STN", "country", "Sao Tome and Principe", null },
                    { "sv", "USD", "country", "El Salvador", null },
                    { "sx", "XCG", "country", "Sint Maarten", null },
                    { "sy", "SYP", "country", "Syria", null },
                    { "sz", "SZL", "country", "Eswatini", null },
                    { "tc", "USD", "country", "Turks and Caicos Islands", null },
                    { "td", "XAF", "country", "Chad", null },
                    { "tf", "EUR", "country", "French Southern Territories", null },
                    { "tg", "XOF", "country", "Togo", null },
                    { "th", "THB", "country", "Thailand", null },
                    { "tj", "TJS", "country", "Tajikistan", null },
                    { "tk", "NZD", "country", "Tokelau", null },
                    { "tl", "USD", "country", "Timor-Leste", null },
                    { "tm", "TMT", "country", "Turkmenistan", null },
                    { "tn", "TND", "country", "Tunisia", null },
                    { "to", "TOP", "country", "Tonga", null },
                    { "tr", "TRY", "country", "Türkiye", null },
                    { "tt", "TTD", "country", "Trinidad and Tobago", null },
                    { "tv", "AUD", "country", "Tuvalu", null },
                    { "tw", "TWD", "country", "Taiwan", null },
                    { "tz", "TZS", "country", "Tanzania", null },
                    { "ua", "UAH", "country", "Ukraine", null },
                    { "ug", "UGX", "country", "Uganda", null },
                    { "um", "USD", "country", "United States Minor Outlying Islands", null },
                    { "us", "USD", "country", "United States", null },
                    { "uy", "UYU", "country", "Uruguay", null },
                    { "uz", "UZS", "country", "Uzbekistan", null },
                    { "va", "EUR", "country", "Vatican City", null },
                    { "vc", "XCD", "country", "Saint Vincent and the Grenadines", null },
                    { "ve", "VES", "country", "Venezuela", null },
                    { "vg", "USD", "country", "British Virgin Islands", null },
                    { "vi", "USD", "country", "U.S. Virgin Islands", null },
                    { "vn", "VND", "country", "Vietnam", null },
                    { "vu", "VUV", "country", "Vanuatu", null },
                    { "wf", "XPF", "country", "Wallis and Futuna", null },
                    { "ws", "WST", "country", "Samoa", null },
                    { "ye", "YER", "country", "Yemen", null },
                    { "yt", "EUR", "country", "Mayotte", null },
                    { "za", "ZAR", "country", "South Africa", null },
                    { "zm", "ZMW", "country", "Zambia", null },
                    { "zw", "USD", "country", "Zimbabwe", null }
                });

            migrationBuilder.InsertData(
                table: "roles",
                columns: new[] { "slug", "family", "title" },
                values: new object[,]
                {
                    { "data-analyst", "data", "Data Analyst" },
                    { "data-engineer", "data", "Data Engineer" },
                    { "data-scientist", "data", "Data Scientist" },
                    { "designer", "design", "Product Designer" },
                    { "engineering-manager", "management", "Engineering Manager" },
                    { "ml-engineer", "engineering", "Machine Learning Engineer" },
                    { "product-manager", "product", "Product Manager" },
                    { "research-engineer", "research", "Research Engineer" },
                    { "research-scientist", "research", "Research Scientist" },
                    { "software-engineer", "engineering", "Software Engineer" }
                });

            migrationBuilder.InsertData(
                table: "regions",
                columns: new[] { "code", "currency", "kind", "name", "parent_code" },
                values: new object[,]
                {
                    { "ca-ab", "CAD", "subdivision", "Alberta", "ca" },
                    { "ca-bc", "CAD", "subdivision", "British Columbia", "ca" },
                    { "ca-mb", "CAD", "subdivision", "Manitoba", "ca" },
                    { "ca-nb", "CAD", "subdivision", "New Brunswick", "ca" },
                    { "ca-nl", "CAD", "subdivision", "Newfoundland and Labrador", "ca" },
                    { "ca-ns", "CAD", "subdivision", "Nova Scotia", "ca" },
                    { "ca-nt", "CAD", "subdivision", "Northwest Territories", "ca" },
                    { "ca-nu", "CAD", "subdivision", "Nunavut", "ca" },
                    { "ca-on", "CAD", "subdivision", "Ontario", "ca" },
                    { "ca-pe", "CAD", "subdivision", "Prince Edward Island", "ca" },
                    { "ca-qc", "CAD", "subdivision", "Quebec", "ca" },
                    { "ca-sk", "CAD", "subdivision", "Saskatchewan", "ca" },
                    { "ca-yt", "CAD", "subdivision", "Yukon", "ca" },
                    { "ch-zh", "CHF", "subdivision", "Zurich", "ch" },
                    { "cn-ah", "CNY", "subdivision", "Anhui", "cn" },
                    { "cn-bj", "CNY", "subdivision", "Beijing", "cn" },
                    { "cn-cq", "CNY", "subdivision", "Chongqing", "cn" },
                    { "cn-fj", "CNY", "subdivision", "Fujian", "cn" },
                    { "cn-gd", "CNY", "subdivision", "Guangdong", "cn" },
                    { "cn-gs", "CNY", "subdivision", "Gansu", "cn" },
                    { "cn-gx", "CNY", "subdivision", "Guangxi", "cn" },
                    { "cn-gz", "CNY", "subdivision", "Guizhou", "cn" },
                    { "cn-ha", "CNY", "subdivision", "Henan", "cn" },
                    { "cn-hb", "CNY", "subdivision", "Hubei", "cn" },
                    { "cn-he", "CNY", "subdivision", "Hebei", "cn" },
                    { "cn-hi", "CNY", "subdivision", "Hainan", "cn" },
                    { "cn-hk", "HKD", "subdivision", "Hong Kong", "cn" },
                    { "cn-hl", "CNY", "subdivision", "Heilongjiang", "cn" },
                    { "cn-hn", "CNY", "subdivision", "Hunan", "cn" },
                    { "cn-jl", "CNY", "subdivision", "Jilin", "cn" },
                    { "cn-js", "CNY", "subdivision", "Jiangsu", "cn" },
                    { "cn-jx", "CNY", "subdivision", "Jiangxi", "cn" },
                    { "cn-ln", "CNY", "subdivision", "Liaoning", "cn" },
                    { "cn-mo", "MOP", "subdivision", "Macao", "cn" },
                    { "cn-nm", "CNY", "subdivision", "Inner Mongolia", "cn" },
                    { "cn-nx", "CNY", "subdivision", "Ningxia", "cn" },
                    { "cn-qh", "CNY", "subdivision", "Qinghai", "cn" },
                    { "cn-sc", "CNY", "subdivision", "Sichuan", "cn" },
                    { "cn-sd", "CNY", "subdivision", "Shandong", "cn" },
                    { "cn-sh", "CNY", "subdivision", "Shanghai", "cn" },
                    { "cn-sn", "CNY", "subdivision", "Shaanxi", "cn" },
                    { "cn-sx", "CNY", "subdivision", "Shanxi", "cn" },
                    { "cn-tj", "CNY", "subdivision", "Tianjin", "cn" },
                    { "cn-tw", "TWD", "subdivision", "Taiwan", "cn" },
                    { "cn-xj", "CNY", "subdivision", "Xinjiang", "cn" },
                    { "cn-xz", "CNY", "subdivision", "Tibet", "cn" },
                    { "cn-yn", "CNY", "subdivision", "Yunnan", "cn" },
                    { "cn-zj", "CNY", "subdivision", "Zhejiang", "cn" },
                    { "de-bb", "EUR", "subdivision", "Brandenburg", "de" },
                    { "de-be", "EUR", "subdivision", "Berlin", "de" },
                    { "de-bw", "EUR", "subdivision", "Baden-Württemberg", "de" },
                    { "de-by", "EUR", "subdivision", "Bavaria", "de" },
                    { "de-hb", "EUR", "subdivision", "Bremen", "de" },
                    { "de-he", "EUR", "subdivision", "Hesse", "de" },
                    { "de-hh", "EUR", "subdivision", "Hamburg", "de" },
                    { "de-mv", "EUR", "subdivision", "Mecklenburg-Western Pomerania", "de" },
                    { "de-ni", "EUR", "subdivision", "Lower Saxony", "de" },
                    { "de-nw", "EUR", "subdivision", "North Rhine-Westphalia", "de" },
                    { "de-rp", "EUR", "subdivision", "Rhineland-Palatinate", "de" },
                    { "de-sh", "EUR", "subdivision", "Schleswig-Holstein", "de" },
                    { "de-sl", "EUR", "subdivision", "Saarland", "de" },
                    { "de-sn", "EUR", "subdivision", "Saxony", "de" },
                    { "de-st", "EUR", "subdivision", "Saxony-Anhalt", "de" },
                    { "de-th", "EUR", "subdivision", "Thuringia", "de" },
                    { "fr-20r", "EUR", "subdivision", "Corsica", "fr" },
                    { "fr-ara", "EUR", "subdivision", "Auvergne-Rhône-Alpes", "fr" },
                    { "fr-bfc", "EUR", "subdivision", "Bourgogne-Franche-Comté", "fr" },
                    { "fr-bre", "EUR", "subdivision", "Brittany", "fr" },
                    { "fr-cvl", "EUR", "subdivision", "Centre-Val de Loire", "fr" },
                    { "fr-ges", "EUR", "subdivision", "Grand Est", "fr" },
                    { "fr-hdf", "EUR", "subdivision", "Hauts-de-France", "fr" },
                    { "fr-idf", "EUR", "subdivision", "Île-de-France", "fr" },
                    { "fr-naq", "EUR", "subdivision", "Nouvelle-Aquitaine", "fr" },
                    { "fr-nor", "EUR", "subdivision", "Normandy", "fr" },
                    { "fr-occ", "EUR", "subdivision", "Occitanie", "fr" },
                    { "fr-pac", "EUR", "subdivision", "Provence-Alpes-Côte d'Azur", "fr" },
                    { "fr-pdl", "EUR", "subdivision", "Pays de la Loire", "fr" },
                    { "gb-eng", "GBP", "subdivision", "England", "gb" },
                    { "gb-nir", "GBP", "subdivision", "Northern Ireland", "gb" },
                    { "gb-sct", "GBP", "subdivision", "Scotland", "gb" },
                    { "gb-wls", "GBP", "subdivision", "Wales", "gb" },
                    { "ie-d", "EUR", "subdivision", "Dublin", "ie" },
                    { "il-ta", "ILS", "subdivision", "Tel Aviv", "il" },
                    { "in-an", "INR", "subdivision", "Andaman and Nicobar Islands", "in" },
                    { "in-ap", "INR", "subdivision", "Andhra Pradesh", "in" },
                    { "in-ar", "INR", "subdivision", "Arunachal Pradesh", "in" },
                    { "in-as", "INR", "subdivision", "Assam", "in" },
                    { "in-br", "INR", "subdivision", "Bihar", "in" },
                    { "in-cg", "INR", "subdivision", "Chhattisgarh", "in" },
                    { "in-ch", "INR", "subdivision", "Chandigarh", "in" },
                    { "in-dh", "INR", "subdivision", "Dadra and Nagar Haveli and Daman and Diu", "in" },
                    { "in-dl", "INR", "subdivision", "Delhi", "in" },
                    { "in-ga", "INR", "subdivision", "Goa", "in" },
                    { "in-gj", "INR", "subdivision", "Gujarat", "in" },
                    { "in-hp", "INR", "subdivision", "Himachal Pradesh", "in" },
                    { "in-hr", "INR", "subdivision", "Haryana", "in" },
                    { "in-jh", "INR", "subdivision", "Jharkhand", "in" },
                    { "in-jk", "INR", "subdivision", "Jammu and Kashmir", "in" },
                    { "in-ka", "INR", "subdivision", "Karnataka", "in" },
                    { "in-kl", "INR", "subdivision", "Kerala", "in" },
                    { "in-la", "INR", "subdivision", "Ladakh", "in" },
                    { "in-ld", "INR", "subdivision", "Lakshadweep", "in" },
                    { "in-mh", "INR", "subdivision", "Maharashtra", "in" },
                    { "in-ml", "INR", "subdivision", "Meghalaya", "in" },
                    { "in-mn", "INR", "subdivision", "Manipur", "in" },
                    { "in-mp", "INR", "subdivision", "Madhya Pradesh", "in" },
                    { "in-mz", "INR", "subdivision", "Mizoram", "in" },
                    { "in-nl", "INR", "subdivision", "Nagaland", "in" },
                    { "in-od", "INR", "subdivision", "Odisha", "in" },
                    { "in-pb", "INR", "subdivision", "Punjab", "in" },
                    { "in-py", "INR", "subdivision", "Puducherry", "in" },
                    { "in-rj", "INR", "subdivision", "Rajasthan", "in" },
                    { "in-sk", "INR", "subdivision", "Sikkim", "in" },
                    { "in-tn", "INR", "subdivision", "Tamil Nadu", "in" },
                    { "in-tr", "INR", "subdivision", "Tripura", "in" },
                    { "in-ts", "INR", "subdivision", "Telangana", "in" },
                    { "in-uk", "INR", "subdivision", "Uttarakhand", "in" },
                    { "in-up", "INR", "subdivision", "Uttar Pradesh", "in" },
                    { "in-wb", "INR", "subdivision", "West Bengal", "in" },
                    { "jp-13", "JPY", "subdivision", "Tokyo", "jp" },
                    { "nl-nh", "EUR", "subdivision", "North Holland", "nl" },
                    { "se-ab", "SEK", "subdivision", "Stockholm County", "se" },
                    { "sg-01", "SGD", "subdivision", "Central Singapore", "sg" },
                    { "us-ak", "USD", "subdivision", "Alaska", "us" },
                    { "us-al", "USD", "subdivision", "Alabama", "us" },
                    { "us-ar", "USD", "subdivision", "Arkansas", "us" },
                    { "us-as", "USD", "subdivision", "American Samoa", "us" },
                    { "us-az", "USD", "subdivision", "Arizona", "us" },
                    { "us-ca", "USD", "subdivision", "California", "us" },
                    { "us-co", "USD", "subdivision", "Colorado", "us" },
                    { "us-ct", "USD", "subdivision", "Connecticut", "us" },
                    { "us-dc", "USD", "subdivision", "District of Columbia", "us" },
                    { "us-de", "USD", "subdivision", "Delaware", "us" },
                    { "us-fl", "USD", "subdivision", "Florida", "us" },
                    { "us-ga", "USD", "subdivision", "Georgia", "us" },
                    { "us-gu", "USD", "subdivision", "Guam", "us" },
                    { "us-hi", "USD", "subdivision", "Hawaii", "us" },
                    { "us-ia", "USD", "subdivision", "Iowa", "us" },
                    { "us-id", "USD", "subdivision", "Idaho", "us" },
                    { "us-il", "USD", "subdivision", "Illinois", "us" },
                    { "us-in", "USD", "subdivision", "Indiana", "us" },
                    { "us-ks", "USD", "subdivision", "Kansas", "us" },
                    { "us-ky", "USD", "subdivision", "Kentucky", "us" },
                    { "us-la", "USD", "subdivision", "Louisiana", "us" },
                    { "us-ma", "USD", "subdivision", "Massachusetts", "us" },
                    { "us-md", "USD", "subdivision", "Maryland", "us" },
                    { "us-me", "USD", "subdivision", "Maine", "us" },
                    { "us-mi", "USD", "subdivision", "Michigan", "us" },
                    { "us-mn", "USD", "subdivision", "Minnesota", "us" },
                    { "us-mo", "USD", "subdivision", "Missouri", "us" },
                    { "us-mp", "USD", "subdivision", "Northern Mariana Islands", "us" },
                    { "us-ms", "USD", "subdivision", "Mississippi", "us" },
                    { "us-mt", "USD", "subdivision", "Montana", "us" },
                    { "us-nc", "USD", "subdivision", "North Carolina", "us" },
                    { "us-nd", "USD", "subdivision", "North Dakota", "us" },
                    { "us-ne", "USD", "subdivision", "Nebraska", "us" },
                    { "us-nh", "USD", "subdivision", "New Hampshire", "us" },
                    { "us-nj", "USD", "subdivision", "New Jersey", "us" },
                    { "us-nm", "USD", "subdivision", "New Mexico", "us" },
                    { "us-nv", "USD", "subdivision", "Nevada", "us" },
                    { "us-ny", "USD", "subdivision", "New York", "us" },
                    { "us-oh", "USD", "subdivision", "Ohio", "us" },
                    { "us-ok", "USD", "subdivision", "Oklahoma", "us" },
                    { "us-or", "USD", "subdivision", "Oregon", "us" },
                    { "us-pa", "USD", "subdivision", "Pennsylvania", "us" },
                    { "us-pr", "USD", "subdivision", "Puerto Rico", "us" },
                    { "us-ri", "USD", "subdivision", "Rhode Island", "us" },
                    { "us-sc", "USD", "subdivision", "South Carolina", "us" },
                    { "us-sd", "USD", "subdivision", "South Dakota", "us" },
                    { "us-tn", "USD", "subdivision", "Tennessee", "us" },
                    { "us-tx", "USD", "subdivision", "Texas", "us" },
                    { "us-um", "USD", "subdivision", "United States Minor Outlying Islands", "us" },
                    { "us-ut", "USD", "subdivision", "Utah", "us" },
                    { "us-va", "USD", "subdivision", "Virginia", "us" },
                    { "us-vi", "USD", "subdivision", "U.S. Virgin Islands", "us" },
                    { "us-vt", "USD", "subdivision", "Vermont", "us" },
                    { "us-wa", "USD", "subdivision", "Washington", "us" },
                    { "us-wi", "USD", "subdivision", "Wisconsin", "us" },
                    { "us-wv", "USD", "subdivision", "West Virginia", "us" },
                    { "us-wy", "USD", "subdivision", "Wyoming", "us" },
                    { "ca-bc-vancouver", "CAD", "metro", "Vancouver", "ca-bc" },
                    { "ca-on-toronto", "CAD", "metro", "Toronto", "ca-on" },
                    { "ca-qc-montreal", "CAD", "metro", "Montreal", "ca-qc" },
                    { "ch-zh-zurich", "CHF", "metro", "Zurich", "ch-zh" },
                    { "cn-bj-beijing", "CNY", "metro", "Beijing", "cn-bj" },
                    { "cn-gd-shenzhen", "CNY", "metro", "Shenzhen", "cn-gd" },
                    { "cn-sh-shanghai", "CNY", "metro", "Shanghai", "cn-sh" },
                    { "de-be-berlin", "EUR", "metro", "Berlin", "de-be" },
                    { "de-by-munich", "EUR", "metro", "Munich", "de-by" },
                    { "fr-idf-paris", "EUR", "metro", "Paris", "fr-idf" },
                    { "gb-eng-london", "GBP", "metro", "London", "gb-eng" },
                    { "ie-d-dublin", "EUR", "metro", "Dublin", "ie-d" },
                    { "il-ta-tel-aviv", "ILS", "metro", "Tel Aviv", "il-ta" },
                    { "in-ka-bangalore", "INR", "metro", "Bangalore", "in-ka" },
                    { "in-ts-hyderabad", "INR", "metro", "Hyderabad", "in-ts" },
                    { "jp-13-tokyo", "JPY", "metro", "Tokyo", "jp-13" },
                    { "nl-nh-amsterdam", "EUR", "metro", "Amsterdam", "nl-nh" },
                    { "se-ab-stockholm", "SEK", "metro", "Stockholm", "se-ab" },
                    { "sg-01-singapore", "SGD", "metro", "Singapore", "sg-01" },
                    { "us-ca-los-angeles", "USD", "metro", "Los Angeles", "us-ca" },
                    { "us-ca-san-diego", "USD", "metro", "San Diego", "us-ca" },
                    { "us-ca-sf-bay-area", "USD", "metro", "San Francisco Bay Area", "us-ca" },
                    { "us-co-denver", "USD", "metro", "Denver", "us-co" },
                    { "us-dc-washington", "USD", "metro", "Washington, D.C.", "us-dc" },
                    { "us-ga-atlanta", "USD", "metro", "Atlanta", "us-ga" },
                    { "us-il-chicago", "USD", "metro", "Chicago", "us-il" },
                    { "us-ma-boston", "USD", "metro", "Boston", "us-ma" },
                    { "us-ny-new-york", "USD", "metro", "New York City", "us-ny" },
                    { "us-tx-austin", "USD", "metro", "Austin", "us-tx" },
                    { "us-wa-seattle", "USD", "metro", "Seattle", "us-wa" }
                });

            migrationBuilder.CreateIndex(
                name: "ix_api_keys_secret_hash",
                table: "api_keys",
                column: "secret_hash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_datapoints_api_key_id",
                table: "datapoints",
                column: "api_key_id");

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

            migrationBuilder.CreateIndex(
                name: "ix_datapoints_level",
                table: "datapoints",
                column: "level");

            migrationBuilder.CreateIndex(
                name: "ix_datapoints_region",
                table: "datapoints",
                column: "region");

            migrationBuilder.CreateIndex(
                name: "ix_employers_slug",
                table: "employers",
                column: "slug",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_levels_rank",
                table: "levels",
                column: "rank",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_regions_parent_code",
                table: "regions",
                column: "parent_code");

            // Every statement that changes datapoints moves the dataset version (SPEC: responses name
            // the dataset they were computed from; ETags build on it).
            migrationBuilder.Sql("""
                CREATE FUNCTION bump_dataset_version() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    PERFORM nextval('dataset_version');
                    RETURN NULL;
                END $$;
                CREATE TRIGGER datapoints_dataset_version
                    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON datapoints
                    FOR EACH STATEMENT EXECUTE FUNCTION bump_dataset_version();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS datapoints_dataset_version ON datapoints; DROP FUNCTION IF EXISTS bump_dataset_version();");

            migrationBuilder.DropTable(
                name: "datapoints");

            migrationBuilder.DropTable(
                name: "api_keys");

            migrationBuilder.DropTable(
                name: "employers");

            migrationBuilder.DropTable(
                name: "levels");

            migrationBuilder.DropTable(
                name: "regions");

            migrationBuilder.DropTable(
                name: "roles");

            migrationBuilder.DropSequence(
                name: "dataset_version");
        }
    }
}
