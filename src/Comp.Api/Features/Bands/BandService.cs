using Comp.Api.Data;
using Comp.Statistics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Comp.Api.Features.Bands;

/// <summary>The one road every band answer travels: store → disclosure and percentiles → response.</summary>
public sealed class BandService(IBandStore store, CompDbContext db, IOptionsMonitor<DisclosureRules> rules)
{
    public async Task<BandResponse> GetAsync(BandQuery query, CancellationToken cancellationToken)
    {
        var version = await DatasetVersionAsync(cancellationToken);
        var cells = await store.GetCellsAsync(query, cancellationToken);
        var disclosure = rules.CurrentValue;
        var published = cells.Select(cell =>
        {
            var figures = Band.Compute(cell.Sorted, cell.Counts, query.CellsSpanEmployers, query.Percentiles, disclosure);
            return new BandCell(cell.Group, figures.Datapoints, figures.Employers, figures.Suppressed, figures.Reasons, figures.Percentiles);
        }).ToList();
        return new BandResponse(Components.Name(query.Component), query.Currency, null, version, Methodology(disclosure), published);
    }

    /// <summary>Read before the cells, so a concurrent write can only make the version older than the data, never newer.</summary>
    private async Task<string> DatasetVersionAsync(CancellationToken cancellationToken) =>
        (await db.Database.SqlQueryRaw<long>($"SELECT last_value AS \"Value\" FROM {CompDbContext.DatasetVersionSequence}")
            .SingleAsync(cancellationToken)).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string Methodology(DisclosureRules rules) =>
        "percentile_cont (Hyndman-Fan type 7); values rounded to 2 decimals; " + rules.Describe() +
        "; only datapoints already in the requested currency are counted (no conversion yet)";
}
