namespace Comp.Api.Data;

/// <summary>
/// Work on the database at start-up, after the migrations and before the demo data and the first
/// request: <see cref="DatabaseInitializer"/> runs every registered task in registration order.
/// The layers above Data add theirs (Auth the bootstrap admin key, Infrastructure the idempotency
/// purge), so Data runs them without knowing them.
/// </summary>
public interface IDatabaseStartupTask
{
    Task RunAsync(CompDbContext db, CancellationToken cancellationToken);
}
