using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Comp.Api.Data.Configurations;

// Codes and slugs use the "C" collation: they are ASCII and compare byte-wise, so groups sort the
// same on every machine and the btree indexes need no locale.

internal sealed class EmployerConfiguration : IEntityTypeConfiguration<Employer>
{
    public void Configure(EntityTypeBuilder<Employer> b)
    {
        b.Property(e => e.Slug).HasMaxLength(100).UseCollation("C");
        b.Property(e => e.Name).HasMaxLength(200);
        b.Property(e => e.CreatedAt).HasDefaultValueSql("now()");
        b.Property(e => e.EquityVestingDefault).HasColumnType(VestingSchedule.ColumnType);
        b.Property(e => e.RetentionVestingDefault).HasColumnType(VestingSchedule.ColumnType);
        b.Property(e => e.Industry).HasMaxLength(100).UseCollation("C");
        b.Property(e => e.Stage).HasMaxLength(20).UseCollation("C");
        b.Property(e => e.Headcount).HasMaxLength(20).UseCollation("C");
        b.Property(e => e.Hq).HasMaxLength(100).UseCollation("C");
        b.HasOne<Industry>().WithMany().HasForeignKey(e => e.Industry).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Region>().WithMany().HasForeignKey(e => e.Hq).OnDelete(DeleteBehavior.Restrict);
        b.HasIndex(e => e.Slug).IsUnique();
        b.ToTable(t =>
        {
            t.HasCheckConstraint("ck_employers_stage", EmployerAttributes.Check("stage", EmployerAttributes.Stages));
            t.HasCheckConstraint("ck_employers_headcount", EmployerAttributes.Check("headcount", EmployerAttributes.Headcounts));
            t.HasCheckConstraint("ck_employers_equity_vesting_default", VestingSchedule.Check("equity_vesting_default"));
            t.HasCheckConstraint("ck_employers_retention_vesting_default", VestingSchedule.Check("retention_vesting_default"));
        });
    }
}

internal sealed class PeerGroupConfiguration : IEntityTypeConfiguration<PeerGroup>
{
    public void Configure(EntityTypeBuilder<PeerGroup> b)
    {
        b.Property(g => g.Name).HasMaxLength(PeerGroupLimits.MaxName);
        b.Property(g => g.CreatedAt).HasDefaultValueSql("now()");
        b.HasOne<ApiKey>().WithMany().HasForeignKey(g => g.ApiKeyId).OnDelete(DeleteBehavior.Restrict);
        b.HasIndex(g => g.ApiKeyId);
        // A list of employers or a rule, never both or neither.
        b.ToTable(t => t.HasCheckConstraint("ck_peer_groups_list_or_rule",
            "(employer_ids IS NOT NULL) = (industries IS NULL AND stages IS NULL AND headcounts IS NULL)"));
    }
}

internal sealed class IndustryConfiguration : IEntityTypeConfiguration<Industry>
{
    public void Configure(EntityTypeBuilder<Industry> b)
    {
        b.HasKey(i => i.Slug);
        b.Property(i => i.Slug).HasMaxLength(100).UseCollation("C");
        b.Property(i => i.Name).HasMaxLength(200);
    }
}

internal sealed class RoleConfiguration : IEntityTypeConfiguration<Role>
{
    public void Configure(EntityTypeBuilder<Role> b)
    {
        b.HasKey(r => r.Slug);
        b.Property(r => r.Slug).HasMaxLength(100).UseCollation("C");
        b.Property(r => r.Title).HasMaxLength(200);
        b.Property(r => r.Family).HasMaxLength(100);
    }
}

internal sealed class LevelConfiguration : IEntityTypeConfiguration<Level>
{
    public void Configure(EntityTypeBuilder<Level> b)
    {
        b.HasKey(l => l.Code);
        b.Property(l => l.Code).HasMaxLength(8).UseCollation("C");
        b.Property(l => l.Title).HasMaxLength(100);
        b.HasIndex(l => l.Rank).IsUnique();
    }
}

internal sealed class RegionConfiguration : IEntityTypeConfiguration<Region>
{
    public void Configure(EntityTypeBuilder<Region> b)
    {
        b.HasKey(r => r.Code);
        b.Property(r => r.Code).HasMaxLength(100).UseCollation("C");
        b.Property(r => r.ParentCode).HasMaxLength(100).UseCollation("C");
        b.Property(r => r.Name).HasMaxLength(200);
        b.Property(r => r.Kind).HasMaxLength(20);
        b.Property(r => r.Currency).HasMaxLength(3).IsFixedLength();
        b.HasOne<Region>().WithMany().HasForeignKey(r => r.ParentCode).OnDelete(DeleteBehavior.Restrict);
        b.HasIndex(r => r.ParentCode);
    }
}

internal sealed class DatapointConfiguration : IEntityTypeConfiguration<Datapoint>
{
    private static string Quoted(IEnumerable<string> values) => string.Join(",", values.Select(v => $"'{v}'"));

    public void Configure(EntityTypeBuilder<Datapoint> b)
    {
        b.Property(d => d.Id).HasDefaultValueSql("gen_random_uuid()");
        b.Property(d => d.Role).HasMaxLength(100).UseCollation("C");
        b.Property(d => d.Level).HasMaxLength(8).UseCollation("C");
        b.Property(d => d.EmployerLevel).HasMaxLength(50);
        b.Property(d => d.Region).HasMaxLength(100).UseCollation("C");
        b.Property(d => d.Currency).HasMaxLength(3).IsFixedLength();
        foreach (var amount in new[] { nameof(Datapoint.BaseSalary), nameof(Datapoint.TargetBonus), nameof(Datapoint.SignOnBonus), nameof(Datapoint.EquityGrant), nameof(Datapoint.RetentionGrant) })
            b.Property(amount).HasPrecision(16, 2);
        b.Property(d => d.YearsOfExperience).HasPrecision(4, 1);
        b.Property(d => d.EquityVestingSchedule).HasColumnType(VestingSchedule.ColumnType);
        b.Property(d => d.RetentionVestingSchedule).HasColumnType(VestingSchedule.ColumnType);
        b.Property(d => d.EquityBasis).HasMaxLength(30);
        b.Property(d => d.PackageType).HasMaxLength(20).HasDefaultValue(Comp.Statistics.PackageTypes.Default);
        b.Property(d => d.Source).HasMaxLength(20);
        b.Property(d => d.SourceNote).HasMaxLength(500);
        b.Property(d => d.CreatedAt).HasDefaultValueSql("now()");

        b.HasOne(d => d.Employer).WithMany().HasForeignKey(d => d.EmployerId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Role>().WithMany().HasForeignKey(d => d.Role).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Level>().WithMany().HasForeignKey(d => d.Level).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Region>().WithMany().HasForeignKey(d => d.Region).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<ApiKey>().WithMany().HasForeignKey(d => d.ApiKeyId).OnDelete(DeleteBehavior.Restrict);

        b.ToTable(t =>
        {
            t.HasCheckConstraint("ck_datapoints_source", "source IN ('self_reported','offer_letter','employer_survey','public_filing','press_report','aggregator')");
            t.HasCheckConstraint("ck_datapoints_vesting", "equity_vesting_years BETWEEN 1 AND 10 AND retention_vesting_years BETWEEN 1 AND 10");
            t.HasCheckConstraint("ck_datapoints_equity_basis", $"equity_basis IN ({Quoted(Comp.Statistics.EquityBases.All)})");
            t.HasCheckConstraint("ck_datapoints_package_type", $"package_type IN ({Quoted(Comp.Statistics.PackageTypes.All)})");
            // A schedule's length is its grant's vesting years (SPEC §1), so the band engine reads either.
            t.HasCheckConstraint("ck_datapoints_equity_vesting_schedule",
                VestingSchedule.Check("equity_vesting_schedule") + " AND (equity_vesting_schedule IS NULL OR cardinality(equity_vesting_schedule) = equity_vesting_years)");
            t.HasCheckConstraint("ck_datapoints_retention_vesting_schedule",
                VestingSchedule.Check("retention_vesting_schedule") + " AND (retention_vesting_schedule IS NULL OR cardinality(retention_vesting_schedule) = retention_vesting_years)");
            t.HasCheckConstraint("ck_datapoints_amounts", "base_salary >= 0 AND coalesce(target_bonus, 0) >= 0 AND coalesce(sign_on_bonus, 0) >= 0 AND coalesce(equity_grant, 0) >= 0 AND coalesce(retention_grant, 0) >= 0");
        });

        // Band cuts filter by role and region (a prefix for roll-ups) or by employer and role,
        // then read the amounts: both indexes cover what the band query reads, so PostgreSQL
        // answers from the index without visiting the heap (measured in the closing note).
        b.HasIndex(d => new { d.Role, d.Region, d.EffectiveDate })
            .IncludeProperties(d => new { d.EmployerId, d.Level, d.Currency, d.BaseSalary, d.TargetBonus, d.SignOnBonus, d.EquityGrant, d.EquityVestingYears, d.RetentionGrant, d.RetentionVestingYears, d.Source, d.Verified, d.YearsOfExperience, d.EquityVestingSchedule, d.RetentionVestingSchedule, d.EquityBasis, d.PackageType })
            .HasDatabaseName("ix_datapoints_band_role_region");
        b.HasIndex(d => new { d.EmployerId, d.Role, d.EffectiveDate })
            .IncludeProperties(d => new { d.Region, d.Level, d.Currency, d.BaseSalary, d.TargetBonus, d.SignOnBonus, d.EquityGrant, d.EquityVestingYears, d.RetentionGrant, d.RetentionVestingYears, d.Source, d.Verified, d.YearsOfExperience, d.EquityVestingSchedule, d.RetentionVestingSchedule, d.EquityBasis, d.PackageType })
            .HasDatabaseName("ix_datapoints_band_employer_role");
        b.HasIndex(d => d.ApiKeyId);
    }
}

/// <summary>How a vesting schedule is stored: yearly percentages with up to four decimals, checked as the API checks them.</summary>
internal static class VestingSchedule
{
    public const string ColumnType = "numeric(7,4)[]";

    /// <summary>
    /// The SQL function (made by the VestingSchedules migration) that holds a schedule to the API's
    /// rules (<see cref="Comp.Statistics.Vesting.Problem"/>): 1–10 entries, none null or negative,
    /// summing to 100 within 0.01. A function, as a CHECK cannot hold the subquery the sum needs.
    /// </summary>
    public const string Function = "vesting_schedule_ok";

    public static string Check(string column) => $"{Function}({column})";
}

internal sealed class ApiKeyConfiguration : IEntityTypeConfiguration<ApiKey>
{
    public void Configure(EntityTypeBuilder<ApiKey> b)
    {
        b.Property(k => k.Name).HasMaxLength(200);
        b.Property(k => k.CreatedAt).HasDefaultValueSql("now()");
        b.HasIndex(k => k.SecretHash).IsUnique();
    }
}

internal sealed class EmployerLevelConfiguration : IEntityTypeConfiguration<EmployerLevel>
{
    public void Configure(EntityTypeBuilder<EmployerLevel> b)
    {
        b.HasKey(l => new { l.EmployerId, l.Name });
        b.Property(l => l.Name).HasMaxLength(50);
        b.Property(l => l.Level).HasMaxLength(8).UseCollation("C");
        b.HasOne<Employer>().WithMany().HasForeignKey(l => l.EmployerId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Level>().WithMany().HasForeignKey(l => l.Level).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class FxRateConfiguration : IEntityTypeConfiguration<FxRate>
{
    public void Configure(EntityTypeBuilder<FxRate> b)
    {
        b.HasKey(r => new { r.Currency, r.Date });
        b.Property(r => r.Currency).HasMaxLength(3).IsFixedLength();
        b.Property(r => r.UsdPerUnit).HasPrecision(20, 10);
        b.Property(r => r.Source).HasMaxLength(200);
        b.ToTable(t => t.HasCheckConstraint("ck_fx_rates_positive", "usd_per_unit > 0"));
    }
}

internal sealed class IdempotencyRecordConfiguration : IEntityTypeConfiguration<IdempotencyRecord>
{
    public void Configure(EntityTypeBuilder<IdempotencyRecord> b)
    {
        // Keys are scoped to the API key that sent them: two clients may pick the same string.
        b.HasKey(r => new { r.ApiKeyId, r.Key });
        b.Property(r => r.Key).HasMaxLength(200);
        b.Property(r => r.Route).HasMaxLength(100);
        b.Property(r => r.Location).HasMaxLength(200);
        b.HasOne<ApiKey>().WithMany().HasForeignKey(r => r.ApiKeyId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(r => r.CreatedAt);
    }
}
