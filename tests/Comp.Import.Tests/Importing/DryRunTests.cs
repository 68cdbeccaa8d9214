using Comp.Import.Mapping;
using Comp.Import.Reading;
using CsvHelper;

namespace Comp.Import.Tests.Importing;

/// <summary>
/// Whole real files through the importer without an API (--dry-run): every data row is read, and
/// each is either mapped or written to the reject file with its reason.
/// </summary>
public sealed class DryRunTests
{
    private static readonly DateOnly Today = new(2026, 1, 1);

    private sealed record Reject(long Line, string Stage, string Reason, string Raw);

    private static async Task<(ImportSummary Summary, List<Reject> Rejects)> DryRunAsync(string file, string mappingName)
    {
        using var temp = new TempFolder();
        var mapping = RealData.Mapping(mappingName);
        ImportSummary summary;
        using (var reader = SourceReader.Open(RealData.File(file), mapping))
        using (var rejects = new RejectFile(temp.File("rejects.csv")))
            summary = await new Importer(new RowMapper(mapping, Today), sink: null).RunAsync(reader, rejects);

        using var csv = CsvReader.FromFile(temp.File("rejects.csv"), new CsvReaderOptions { HasHeader = true, AllowLineBreaksInQuotes = true });
        var list = new List<Reject>();
        while (csv.Read())
            list.Add(new Reject(long.Parse(csv.GetString("line")), csv.GetString("stage"), csv.GetString("reason"), csv.GetString("raw")));
        return (summary, list);
    }

    [Fact]
    public async Task Every_row_of_the_Swizec_H1B_file_is_mapped()
    {
        var (summary, rejects) = await DryRunAsync("h1b_swizec_2012_2016_shortened.csv", "h1b-swizec");

        Assert.True(summary.DryRun);
        Assert.Equal(4_999, summary.Read);
        Assert.Equal(4_999, summary.Mapped);
        Assert.Equal(0, summary.RejectedByImporter);
        Assert.Equal(0, summary.Sent);
        Assert.Empty(rejects);
    }

    [Fact]
    public async Task Every_row_of_the_Ask_a_Manager_file_is_mapped_or_rejected_with_its_reason()
    {
        var (summary, rejects) = await DryRunAsync("askamanager_salary_survey_2019_raw.csv", "askamanager-2019");

        // 31,398 lines of records: a banner, the header, and 31,396 answers (some spanning lines).
        Assert.Equal(31_396, summary.Read);
        Assert.Equal(summary.Read, summary.Mapped + summary.RejectedByImporter);
        Assert.Equal(2_781, summary.Mapped);
        Assert.Equal(28_615, summary.RejectedByImporter);
        Assert.Equal(0, summary.Sent);

        Assert.Equal(summary.RejectedByImporter, rejects.Count);
        Assert.All(rejects, r =>
        {
            Assert.Equal("import", r.Stage);
            Assert.Matches(@"^(role|baseSalary|currency|region|effectiveDate): .+", r.Reason);
            Assert.NotEmpty(r.Raw);
        });
        Assert.Equal(3, rejects[0].Line);                 // the first answer, after the banner and the header
        Assert.Equal(rejects.Count, rejects.Select(r => r.Line).Distinct().Count());

        Assert.Equal(
        [
            ("role: no role rule matches the title", 28_592),
            ("baseSalary: too little for an annual salary (a unit or K missing?)", 147),
            ("baseSalary: unexpected text before the amount", 37),
            ("baseSalary: the amount is 0", 30),
            ("region: no location, and EUR is the currency of several countries", 18),
        ], summary.TopReasons(5));
    }
}
