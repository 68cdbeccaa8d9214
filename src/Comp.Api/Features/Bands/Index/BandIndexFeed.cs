using Npgsql;

namespace Comp.Api.Features.Bands.Index;

/// <summary>
/// Loads the band index when the service starts (after the migrations), then listens on the
/// primary for <see cref="BandIndex.Channel"/> and catches up on every notification; when nothing
/// is heard for a second it asks whether anything changed anyway (a lost connection, a write
/// from a tool that bypassed the triggers' NOTIFY), so other instances' writes arrive within a
/// second either way. It also compacts the index (<see cref="BandIndex.TidyAsync"/>) after a catch-up, and after five quiet seconds in a row. Failures are logged and retried: the API keeps answering (from the index
/// as it is, each request still checking its freshness, or from PostgreSQL before the first load).
/// </summary>
public sealed class BandIndexFeed(BandIndex index, NpgsqlDataSource dataSource, ILogger<BandIndexFeed> logger) : BackgroundService
{
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(1);

    /// <summary>Seconds without a change after which the index is tidied: not between the batches of a running load.</summary>
    private const int QuietPolls = 5;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failing = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(stoppingToken);
                await using (var listen = new NpgsqlCommand($"LISTEN {BandIndex.Channel}", connection))
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                // Listening first: nothing committed after this catch-up's snapshot can go unheard.
                await index.CatchUpAsync(stoppingToken);
                if (failing)
                    logger.LogInformation("Band index feed reconnected");
                failing = false;
                var quiet = 0;
                while (!stoppingToken.IsCancellationRequested)
                {
                    if (await connection.WaitAsync(Poll, stoppingToken) || await index.IsBehindAsync(stoppingToken))
                    {
                        await index.CatchUpAsync(stoppingToken);
                        await index.TidyAsync(quiet: false, stoppingToken);
                        quiet = 0;
                    }
                    else if (++quiet == QuietPolls)
                        await index.TidyAsync(quiet: true, stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                if (!failing)
                    logger.LogWarning(ex, "Band index feed failed; retrying every 2 s");
                failing = true;
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(2), stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }
}
