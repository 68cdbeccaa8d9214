using Microsoft.EntityFrameworkCore;

namespace Comp.Api.Data;

public sealed class CompDbContext(DbContextOptions<CompDbContext> options) : DbContext(options)
{
    public DbSet<Employer> Employers => Set<Employer>();
    public DbSet<Role> Roles => Set<Role>();
    public DbSet<Industry> Industries => Set<Industry>();
    public DbSet<Level> Levels => Set<Level>();
    public DbSet<Region> Regions => Set<Region>();
    public DbSet<Datapoint> Datapoints => Set<Datapoint>();
    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();
    public DbSet<EmployerLevel> EmployerLevels => Set<EmployerLevel>();
    public DbSet<FxRate> FxRates => Set<FxRate>();
    public DbSet<IdempotencyRecord> IdempotencyRecords => Set<IdempotencyRecord>();
    public DbSet<PeerGroup> PeerGroups => Set<PeerGroup>();

    /// <summary>
    /// Moves on every change to the data behind a band (a statement trigger calls nextval), so
    /// responses can name the dataset they were computed from. A sequence, not a counter row,
    /// so concurrent writers never wait on each other for it.
    /// </summary>
    public const string DatasetVersionSequence = "dataset_version";

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.HasSequence<long>(DatasetVersionSequence);
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(CompDbContext).Assembly);
    }
}
