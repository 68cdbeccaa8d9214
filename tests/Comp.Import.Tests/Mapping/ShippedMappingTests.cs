using Comp.Client;
using Comp.Import.Mapping;
using Comp.Statistics.Parsing;

namespace Comp.Import.Tests.Mapping;

/// <summary>
/// The shipped mapping files over rows of the real files they were written for
/// (../shared/data/real), each row's datapoint stated field by field.
/// </summary>
public sealed class ShippedMappingTests
{
    private static readonly DateOnly Today = new(2026, 1, 1);

    /// <summary>The roles the API's migration seeds: shipped mappings use no others.</summary>
    private static readonly HashSet<string> SeededRoles =
    [
        "software-engineer", "ml-engineer", "research-scientist", "research-engineer", "data-scientist",
        "data-engineer", "data-analyst", "engineering-manager", "product-manager", "designer",
    ];

    public static TheoryData<string> Mappings => new() { "h1b-swizec", "h1b-lca-fy2016", "h1b-lca-fy2015", "ai-jobs", "askamanager-2019" };

    [Theory]
    [MemberData(nameof(Mappings))]
    public void A_shipped_mapping_loads_says_what_it_does_and_names_only_seeded_roles(string name)
    {
        var mapping = RealData.Mapping(name);
        _ = new RowMapper(mapping, Today);   // throws on an unusable mapping
        Assert.True(string.Join(" ", mapping.Description!.Items).Length > 200);
        var roles = mapping.Rules.GetValueOrDefault("role", []).Select(r => r.Value).Concat(mapping.Constants.Where(c => c.Key == "role").Select(c => c.Value));
        Assert.All(roles, role => Assert.Contains(role, SeededRoles));
    }

    // ---- H-1B, Swizec's shortened file ----

    private const string Swizec = "h1b_swizec_2012_2016_shortened.csv";
    private const string SwizecNote = "US DOL H-1B LCA disclosure (via github.com/Swizec/h1b-software-salaries)";

    [Fact]
    public void A_Swizec_manager_in_Santa_Clara_County_is_an_engineering_manager_in_the_Bay_Area() =>
        // mcafee inc,manager,133328,Santa Clara,Santa Clara County,CA,10/25/2012,03/07/2013,certified,Santa Clara1
        Assert.Equal(H1b("mcafee-inc", "mcafee inc", "engineering-manager", "us-ca-sf-bay-area", "2013-03-07", 133328m, SwizecNote),
            Map(Swizec, "h1b-swizec", 2));

    [Fact]
    public void A_Swizec_row_outside_the_metros_gets_its_state() =>
        // baker tilly virchow krause llp,manager,67000,Milwaukee,Milwaukee County,WI,10/02/2012,10/23/2012,certified,Milwaukee1
        Assert.Equal(H1b("baker-tilly-virchow-krause-llp", "baker tilly virchow krause llp", "engineering-manager", "us-wi", "2012-10-23", 67000m, SwizecNote),
            Map(Swizec, "h1b-swizec", 3));

    [Fact]
    public void A_Swizec_analyst_is_a_data_analyst() =>
        // dolphin solutions inc,analyst,54184,Middle River,Baltimore County,MD,10/15/2012,10/15/2012,certified,Baltimore1
        Assert.Equal(H1b("dolphin-solutions-inc", "dolphin solutions inc", "data-analyst", "us-md", "2012-10-15", 54184m, SwizecNote),
            Map(Swizec, "h1b-swizec", 4));

    [Fact]
    public void A_Swizec_other_bucket_takes_the_default_role() =>
        // thoughtfocus technologies,other,75000,Wausau,Marathon County,WI,11/02/2012,11/05/2012,certified,Marathon1
        Assert.Equal(H1b("thoughtfocus-technologies", "thoughtfocus technologies", "software-engineer", "us-wi", "2012-11-05", 75000m, SwizecNote),
            Map(Swizec, "h1b-swizec", 82));

    [Fact]
    public void A_Swizec_designer_in_Cook_County_is_a_designer_in_Chicago() =>
        // hewlett-packard company,designer,65915,Chicago,Cook County,IL,12/13/2012,01/01/2013,certified,Cook2
        Assert.Equal(H1b("hewlett-packard-company", "hewlett-packard company", "designer", "us-il-chicago", "2013-01-01", 65915m, SwizecNote),
            Map(Swizec, "h1b-swizec", 186));

    // ---- H-1B LCA FY2016: From/To wage columns and a unit column ----

    private const string Fy2016 = "h1b_lca_fy2016_sample_1051.ssv.csv";
    private const string Fy2016Note = "US DOL H-1B LCA disclosure FY2016 (via github.com/jizhouyang/h1b_statistics)";

    [Fact]
    public void An_FY2016_vice_president_of_engineering_with_To_zero_takes_the_From_wage() =>
        // UMBEL CORP; VICE PRESIDENT OF ENGINEERING; 11-1011; From 210000.0; To 0.0; Year; TRAVIS, TX; start 2015-11-16
        Assert.Equal(H1b("umbel-corp", "UMBEL CORP", "engineering-manager", "us-tx-austin", "2015-11-16", 210000m,
                Fy2016Note + "; pay: open range: took its only bound 210000"),
            Map(Fy2016, "h1b-lca-fy2016", 30));

    [Fact]
    public void An_FY2016_hourly_wage_is_annualised() =>
        // SENSORHOUND, INC.; CHIEF EXECUTIVE OFFICER AND RESEARCH SCIENTIST; From 36.9; To 0.0; Hour; TIPPECANOE, IN
        Assert.Equal(H1b("sensorhound-inc", "SENSORHOUND, INC.", "research-scientist", "us-in", "2015-12-15", 76752m,
                Fy2016Note + "; pay: open range: took its only bound 36.9; 36.9 per hour x 2080 = 76752 a year"),
            Map(Fy2016, "h1b-lca-fy2016", 63));

    [Fact]
    public void An_FY2016_wage_range_gives_its_midpoint() =>
        // ASCENTIUM CORPORATION; From 300000; To 400000; Year; KING, WA
        Assert.Equal(350000m, Map(Fy2016, "h1b-lca-fy2016", 143).BaseSalary);

    [Fact]
    public void An_FY2016_chief_operating_officer_is_outside_the_role_vocabulary() =>
        Assert.Equal("role: no role rule matches the title: \"CHIEF OPERATING OFFICER\"", Reject(Fy2016, "h1b-lca-fy2016", 3));

    /// <summary>The README's checked fact: annualised (x2080, x52, x26, x12), every certified FY2016 wage is at least its prevailing wage.</summary>
    [Fact]
    public void Every_certified_FY2016_wage_annualised_is_at_least_its_prevailing_wage()
    {
        var mapping = RealData.Mapping("h1b-lca-fy2016");
        using var reader = Reading.SourceReader.Open(RealData.File(Fy2016), mapping);
        var certified = 0;
        foreach (var row in reader.Rows().Where(r => r.Get("CASE_STATUS") == "CERTIFIED"))
        {
            certified++;
            Assert.True(PayParser.TryParseUnit(row.Get("WAGE_UNIT_OF_PAY"), out var unit));
            Assert.True(PayParser.TryParseUnit(row.Get("PW_UNIT_OF_PAY"), out var pwUnit));
            Assert.True(PayParser.TryParse(row.Get("WAGE_RATE_OF_PAY_FROM"), unit, out var wage, out var error), error);
            Assert.True(PayParser.TryParse(row.Get("PREVAILING_WAGE"), pwUnit, out var prevailing, out error), error);
            Assert.True(wage.Amount >= prevailing.Amount, $"line {row.Line}: {wage.Amount} < {prevailing.Amount}");
        }
        Assert.Equal(849, certified);
    }

    // ---- H-1B LCA FY2015: range strings ----

    private const string Fy2015 = "h1b_lca_fy2015_sample_ranges.ssv.csv";
    private const string Fy2015Note = "US DOL H-1B LCA disclosure FY2015 (via github.com/MadhubalaZ/h1b_statistics)";

    [Fact]
    public void An_FY2015_hourly_range_gives_its_midpoint_times_2080() =>
        // IT CATS LLC; SENIOR BUSINESS ANALYST; 15-1121; "60.00 - 65.00"; Hour; MONTGOMERY, PA; start 10/24/2014
        Assert.Equal(H1b("it-cats-llc", "IT CATS LLC", "data-analyst", "us-pa", "2014-10-24", 130000m,
                Fy2015Note + "; pay: midpoint of 60–65; 62.5 per hour x 2080 = 130000 a year"),
            Map(Fy2015, "h1b-lca-fy2015", 16));

    [Fact]
    public void An_FY2015_yearly_range_gives_its_midpoint() =>
        // FEDERAL HOME LOAN MORTGAGE CO.; DEVELOPMENT SENIOR; SOC 15-1131 (programmers); "97000 - 143300"; FAIRFAX, VA
        Assert.Equal(H1b("federal-home-loan-mortgage-co", "FEDERAL HOME LOAN MORTGAGE CO.", "software-engineer", "us-va", "2015-06-06", 120150m,
                Fy2015Note + "; pay: midpoint of 97000–143300"),
            Map(Fy2015, "h1b-lca-fy2015", 6));

    [Fact]
    public void An_FY2015_open_range_takes_its_bound() =>
        // VMWARE, INC.; STAFF ENGINEER; SOC 15-1132; "155000.00 -"; SANTA CLARA, CA
        Assert.Equal(H1b("vmware-inc", "VMWARE, INC.", "software-engineer", "us-ca-sf-bay-area", "2014-11-03", 155000m,
                Fy2015Note + "; pay: open range: took its only bound 155000"),
            Map(Fy2015, "h1b-lca-fy2015", 8));

    [Fact]
    public void An_FY2015_junk_range_that_annualises_past_the_ceiling_is_rejected() =>
        // VINSYS; SOFTWARE PROGRAMMER; "50000 - 70000" per Hour: 60000 x 2080 = 124,800,000
        Assert.Equal("baseSalary: above 100,000,000 a year once annualised: \"50000 - 70000\"", Reject(Fy2015, "h1b-lca-fy2015", 95));

    // ---- ai-jobs.net ----

    private const string AiJobs = "ds_salaries_aijobs_2020_2023.csv";

    [Fact]
    public void An_ai_jobs_row_keeps_its_own_currency_and_gets_a_level()
    {
        // 2023,SE,FT,Principal Data Scientist,80000,EUR,85847,ES,100,ES,L,DSS-00001
        Assert.Equal(new DatapointRequest
        {
            Employer = "ai-jobs-net", EmployerName = "ai-jobs.net", Role = "data-scientist", Level = "L4", Region = "es", Currency = "EUR",
            EffectiveDate = new DateOnly(2023, 7, 1), BaseSalary = 80000m, Source = "aggregator", SourceNote = "ai-jobs.net salaries (CC0)",
        }, Map(AiJobs, "ai-jobs", 2));
    }

    [Fact]
    public void An_ai_jobs_ML_engineer_is_an_ml_engineer()
    {
        // 2023,MI,CT,ML Engineer,30000,USD,30000,US,100,US,S,DSS-00002
        var datapoint = Map(AiJobs, "ai-jobs", 3);
        Assert.Equal(("ml-engineer", "L3", "us", "USD", 30000m), (datapoint.Role, datapoint.Level, datapoint.Region, datapoint.Currency, datapoint.BaseSalary));
    }

    [Fact]
    public void An_ai_jobs_vehicle_technician_fits_no_role() =>
        Assert.Equal("role: no role rule matches the title: \"Autonomous Vehicle Technician\"", Reject(AiJobs, "ai-jobs", 575));

    // ---- Ask a Manager 2019 ----

    private const string AskAManager = "askamanager_salary_survey_2019_raw.csv";
    private const string AskAManagerNote = "Ask a Manager 2019 salary survey (askamanager.org)";

    private static DatapointRequest Survey(string role, string region, string currency, string date, decimal baseSalary, string? payNote = null) => new()
    {
        Employer = "askamanager-2019", EmployerName = "Ask a Manager 2019 salary survey", Role = role, Region = region, Currency = currency,
        EffectiveDate = DateOnly.Parse(date, System.Globalization.CultureInfo.InvariantCulture), BaseSalary = baseSalary,
        Source = "self_reported", SourceNote = payNote is null ? AskAManagerNote : $"{AskAManagerNote}; pay: {payNote}",
    };

    [Fact]
    public void An_Ask_a_Manager_software_engineer_in_San_Francisco_is_in_the_Bay_Area() =>
        // 4/25/2019 0:05:52,25-34,Technology,Software Engineer,"$120,000",USD,"San Francisco, CA, USA"
        Assert.Equal(Survey("software-engineer", "us-ca-sf-bay-area", "USD", "2019-04-25", 120000m), Map(AskAManager, "askamanager-2019", 4511));

    [Fact]
    public void An_Ask_a_Manager_salary_in_K_and_CAD_in_Vancouver() =>
        // 4/25/2019 0:22:13,35-44,IT,Senior software engineer,155k,CAD,"Vancouver, BC, Canada"
        Assert.Equal(Survey("software-engineer", "ca-bc-vancouver", "CAD", "2019-04-25", 155000m), Map(AskAManager, "askamanager-2019", 10890));

    [Fact]
    public void An_Ask_a_Manager_bonus_after_the_salary_is_ignored_and_noted() =>
        // 4/24/2019 18:11:47,25-34,Tech,Product Manager,"140,000 base + 80,000 bonus/stock",USD,"Seattle, WA"
        Assert.Equal(Survey("product-manager", "us-wa-seattle", "USD", "2019-04-24", 140000m, "ignored 'base + 80,000 bonus/stock'"),
            Map(AskAManager, "askamanager-2019", 9381));

    [Fact]
    public void An_Ask_a_Manager_hourly_designer_in_a_tech_free_industry_is_rejected_for_the_title() =>
        // 4/24/2019 11:48:55,55-64,Publishing,Designer,$40/hour,USD,"Oklahoma City, OK": "Designer" alone counts only in tech
        Assert.Equal("role: no role rule matches the title: \"Designer\"", Reject(AskAManager, "askamanager-2019", 305));

    [Fact]
    public void An_Ask_a_Manager_title_outside_tech_is_rejected_for_its_title_alone() =>
        // 4/24/2019 11:43:21,35-44,Government,Talent Management Asst. Director,75000,USD,"Nashville, TN"
        Assert.Equal("role: no role rule matches the title: \"Talent Management Asst. Director\"", Reject(AskAManager, "askamanager-2019", 3));

    [Fact]
    public void An_Ask_a_Manager_salary_written_73_000_dollars_in_CAD_is_read_as_CAD() =>
        // 4/24/2019 11:43:37,25-34,Telecommunications,Marketing Manager,73 000$,CAD,"Montreal, QC, Canada":
        // the pay, currency and region all read; only the title is out of scope.
        Assert.Equal("role: no role rule matches the title: \"Marketing Manager\"", Reject(AskAManager, "askamanager-2019", 15));

    [Fact]
    public void Ask_a_Manager_value_shapes_through_the_shipped_mapping()
    {
        // A real row (line 4511) with its salary and location replaced by the shapes the survey holds elsewhere.
        var mapper = new RowMapper(RealData.Mapping("askamanager-2019"), Today);
        var row = RealData.Rows(AskAManager, RealData.Mapping("askamanager-2019"), 4511)[4511];
        DatapointRequest With(string salary, string currency, string location)
        {
            var values = row.Values.ToDictionary();
            values["What is your annual salary?"] = salary;
            values["Please indicate the currency"] = currency;
            values["Where are you located? (City/state/country)"] = location;
            var result = mapper.Map(row with { Values = values });
            return result.Datapoint ?? throw new Xunit.Sdk.XunitException(string.Join("; ", result.Errors));
        }

        Assert.Equal(Survey("software-engineer", "us-fl", "USD", "2019-04-25", 75000m, "midpoint of 60000–90000"), With("60-90K", "USD", "Tampa, FL"));
        Assert.Equal(Survey("software-engineer", "us-ok", "USD", "2019-04-25", 83200m, "40 per hour x 2080 = 83200 a year"), With("$40/hour", "USD", "Oklahoma City, OK"));
        Assert.Equal(Survey("software-engineer", "fr", "EUR", "2019-04-25", 24000m), With("24,000€", "EUR", "France"));
        Assert.Equal(Survey("software-engineer", "gb", "GBP", "2019-04-25", 32000m), With("£32,000", "GBP", "United Kingdom"));
        Assert.Equal(Survey("software-engineer", "us-tx", "USD", "2019-04-25", 35000m), With("35K", "USD", "Texas"));
        Assert.Equal(Survey("software-engineer", "ca-qc-montreal", "CAD", "2019-04-25", 73000m), With("73 000$", "CAD", "Montreal, QC, Canada"));
        Assert.Equal(Survey("software-engineer", "nz", "NZD", "2019-04-25", 90000m), With("90,000", "AUD/NZD", "Wellington, New Zealand"));
        Assert.Equal(Survey("software-engineer", "au", "AUD", "2019-04-25", 90000m), With("90,000", "AUD/NZD", "Sydney"));
        Assert.Equal(Survey("software-engineer", "us", "USD", "2019-04-25", 90000m), With("90,000", "USD", "Philadelphia"));   // the currency's country
        Assert.Equal(Survey("software-engineer", "ca", "CAD", "2019-04-25", 90000m), With("90,000", "CAD", "Mississauga"));    // CAD: Canada's alone
    }

    [Fact]
    public void Ask_a_Manager_rows_the_importer_cannot_place_are_rejected_with_the_reason()
    {
        var mapper = new RowMapper(RealData.Mapping("askamanager-2019"), Today);
        var row = RealData.Rows(AskAManager, RealData.Mapping("askamanager-2019"), 4511)[4511];
        string Reason(string salary, string currency, string location)
        {
            var values = row.Values.ToDictionary();
            values["What is your annual salary?"] = salary;
            values["Please indicate the currency"] = currency;
            values["Where are you located? (City/state/country)"] = location;
            return string.Join("; ", mapper.Map(row with { Values = values }).Errors);
        }

        Assert.Equal("region: location not recognised, and EUR is the currency of several countries: \"Eindhoven\"", Reason("50,000", "EUR", "Eindhoven"));
        Assert.Equal("currency: the salary is in GBP but the currency is USD: \"£32,000\"", Reason("£32,000", "USD", "London"));
        Assert.Equal("currency: no currency recognised: \"Other\"", Reason("50,000", "Other", "Somewhere"));
        Assert.Equal("baseSalary: no amount: \"N/A\"", Reason("N/A", "USD", "Texas"));
    }

    // ---- helpers ----

    private static DatapointRequest H1b(string employer, string employerName, string role, string region, string date, decimal baseSalary, string note) => new()
    {
        Employer = employer, EmployerName = employerName, Role = role, Region = region, Currency = "USD",
        EffectiveDate = DateOnly.Parse(date, System.Globalization.CultureInfo.InvariantCulture), BaseSalary = baseSalary,
        Source = "public_filing", SourceNote = note,
    };

    private static MapResult MapLine(string file, string mappingName, long line)
    {
        var mapping = RealData.Mapping(mappingName);
        return new RowMapper(mapping, Today).Map(RealData.Rows(file, mapping, line)[line]);
    }

    private static DatapointRequest Map(string file, string mappingName, long line)
    {
        var result = MapLine(file, mappingName, line);
        return result.Datapoint ?? throw new Xunit.Sdk.XunitException($"line {line} rejected: {string.Join("; ", result.Errors)}");
    }

    private static string Reject(string file, string mappingName, long line)
    {
        var result = MapLine(file, mappingName, line);
        Assert.Null(result.Datapoint);
        return string.Join("; ", result.Errors);
    }
}
