using System.Globalization;
using Comp.Api.Data;
using Comp.Statistics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Comp.Api.Features.Bands;

/// <summary>The one road every band answer travels: store → disclosure and percentiles → response.</summary>
public sealed class BandService(IBandStore store, CompDbContext db, IOptionsMonitor<DisclosureRules> rules, IOptionsMonitor<AgingOptions> aging)
{
    public async Task<BandResponse> GetAsync(BandQuery query, CancellationToken cancellationToken)
    {
        var version = await DatasetVersionAsync(cancellationToken);
        var data = await store.GetAsync(query, cancellationToken);
        var disclosure = rules.CurrentValue;
        var annualRate = aging.CurrentValue.AnnualRate;
        var cells = data.Cells.Select(cell =>
        {
            var figures = Band.Compute(cell.Sorted, cell.Counts, query.CellsSpanEmployers, query.Percentiles, disclosure);
            return new BandCell(cell.Group, figures.Datapoints, figures.Employers, figures.Suppressed, figures.Reasons, figures.Percentiles);
        }).ToList();
        return new BandResponse(Components.Name(query.Component), query.Currency, query.AgedTo, version, Methodology(disclosure, annualRate), cells)
        {
            Conversion = new ConversionInfo(data.Rates, data.LeftOut),
            Aging = query.AgedTo is { } agedTo ? new AgingInfo(agedTo, annualRate) : null,
        };
    }

    /// <summary>Read before the cells, so a concurrent write can only make the version older than the data, never newer.</summary>
    private async Task<string> DatasetVersionAsync(CancellationToken cancellationToken) =>
        (await db.Database.SqlQueryRaw<long>($"SELECT last_value AS \"Value\" FROM {CompDbContext.DatasetVersionSequence}")
            .SingleAsync(cancellationToken)).ToString(CultureInfo.InvariantCulture);

    public static string Methodology(DisclosureRules rules, double annualRate) =>
        "percentile_cont (Hyndman-Fan type 7); values rounded to 2 decimals; " + rules.Describe() +
        "; FX: each value converted at the rate of the latest date on or before its effective date (the earliest rate if none is older), " +
        "values in a currency without a rate left out and counted; aging (agedTo): value x (1 + " +
        annualRate.ToString(CultureInfo.InvariantCulture) + ")^(days / 365.25) after conversion";
}
