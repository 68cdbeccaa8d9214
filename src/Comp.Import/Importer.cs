using Comp.Client;
using Comp.Import.Mapping;
using Comp.Import.Reading;
using Comp.Import.Sending;
using Comp.Statistics.Parsing;

namespace Comp.Import;

/// <summary>How far an import has got, for a progress bar.</summary>
internal sealed record ImportProgress(double Fraction, int Read, int Sent, int Rejected);

/// <summary>
/// Reads a source, maps each row, sends the mapped rows in batches and writes every row that was
/// not stored to the reject file: the importer's own rejects as it reads, the API's after each
/// batch (its lines counted within the batch, traced back to source lines here).
/// </summary>
/// <param name="sink">Where batches go; null for a dry run, which maps everything and sends nothing.</param>
internal sealed class Importer(RowMapper mapper, IDatapointSink? sink, int batchSize = 5000, int? limit = null)
{
    public async Task<ImportSummary> RunAsync(SourceReader reader, RejectFile rejects, Action<ImportProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        var summary = new ImportSummary { DryRun = sink is null, RejectFile = rejects.Path };
        var batch = new List<(SourceRow Row, DatapointRequest Datapoint)>(Math.Min(batchSize, 50_000));
        void Report() => progress?.Invoke(new ImportProgress(reader.Fraction, summary.Read, summary.Sent,
            summary.RejectedByImporter + summary.RejectedByApi));

        foreach (var row in reader.Rows())
        {
            if (summary.Read == limit)
                break;
            if (cancellationToken.IsCancellationRequested)
            {
                summary.Failure = $"cancelled before line {row.Line}; {batch.Count:N0} mapped rows were not sent";
                return summary;
            }
            summary.Read++;
            var result = mapper.Map(row);
            if (result.Datapoint is null)
            {
                summary.RejectedByImporter++;
                foreach (var error in result.Errors)
                    summary.CountReason(error.Kind);
                rejects.Write(row.Line, "import", string.Join("; ", result.Errors), row.Raw);
            }
            else
            {
                summary.Mapped++;
                if (result.Pay!.High is not null)
                    summary.Ranges++;
                else if (result.Pay.WasRange)
                    summary.OpenRanges++;
                if (result.Pay.Period is not (PayPeriod.Year or PayPeriod.Unknown))
                    summary.Annualised++;
                batch.Add((row, result.Datapoint));
            }

            if (batch.Count >= batchSize && !await FlushAsync(batch, summary, rejects, cancellationToken))
                return summary;
            if (summary.Read % 500 == 0)
                Report();
        }

        await FlushAsync(batch, summary, rejects, cancellationToken);
        Report();
        return summary;
    }

    /// <summary>Sends the batch (a dry run drops it); false when the API could not be used, with the reason in the summary.</summary>
    private async Task<bool> FlushAsync(List<(SourceRow Row, DatapointRequest Datapoint)> batch, ImportSummary summary, RejectFile rejects,
        CancellationToken cancellationToken)
    {
        if (batch.Count == 0 || sink is null)
        {
            batch.Clear();
            return true;
        }

        BatchResult result;
        try
        {
            result = await sink.SendAsync(batch.Select(b => b.Datapoint).ToList(), cancellationToken);
        }
        catch (Exception e) when (e is CompApiException or HttpRequestException or Polly.ExecutionRejectedException or OperationCanceledException)
        {
            // The API refused the call or could not be reached after the client's retries, or the user pressed Ctrl-C.
            var why = cancellationToken.IsCancellationRequested ? "cancelled" : e.Message;
            summary.Failure = $"stopped at the batch starting on line {batch[0].Row.Line}: {why}";
            return false;
        }

        summary.Sent += batch.Count;
        summary.Accepted += result.Accepted;
        foreach (var rejected in result.Rejected)
        {
            var row = batch[rejected.Line - 1].Row;
            var errors = rejected.Errors.SelectMany(e => e.Value.Select(message => $"{e.Key}: {message}")).ToList();
            summary.RejectedByApi++;
            errors.ForEach(summary.CountReason);
            rejects.Write(row.Line, "api", string.Join("; ", errors), row.Raw);
        }
        batch.Clear();
        return true;
    }
}
