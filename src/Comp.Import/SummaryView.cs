using Spectre.Console;

namespace Comp.Import;

/// <summary>The end-of-import table: the counts at each stage and the commonest reject reasons.</summary>
internal static class SummaryView
{
    public static void Render(IAnsiConsole console, ImportSummary summary)
    {
        var counts = new Table().Title(summary.DryRun ? "Import (dry run: nothing sent)" : "Import")
            .AddColumn("rows").AddColumn(new TableColumn("count").RightAligned());
        void Row(string label, int? value) => counts.AddRow(label, value?.ToString("N0") ?? "-");
        Row("read", summary.Read);
        Row("mapped to datapoints", summary.Mapped);
        Row("  of which ranges (midpoint taken)", summary.Ranges);
        Row("  of which open ranges (the one bound taken)", summary.OpenRanges);
        Row("  of which annualised (hourly, weekly, monthly)", summary.Annualised);
        Row("rejected by the importer", summary.RejectedByImporter);
        Row("sent", summary.DryRun ? null : summary.Sent);
        Row("accepted by the API", summary.DryRun ? null : summary.Accepted);
        Row("rejected by the API", summary.DryRun ? null : summary.RejectedByApi);
        console.Write(counts);

        var top = summary.TopReasons(5);
        if (top.Count > 0)
        {
            var reasons = new Table().Title("Top reject reasons").AddColumn("reason").AddColumn(new TableColumn("times").RightAligned());
            foreach (var (reason, count) in top)
                reasons.AddRow(Markup.Escape(reason), count.ToString("N0"));
            console.Write(reasons);
        }

        console.MarkupLine($"Reject file: [blue]{Markup.Escape(summary.RejectFile)}[/]");
        if (summary.Failure is not null)
            console.MarkupLine($"[red]The import stopped early:[/] {Markup.Escape(summary.Failure)}");
    }
}
