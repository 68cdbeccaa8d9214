using Comp.Api.Contracts;
using Comp.Api.Data;
using Comp.Statistics;
using FluentValidation;

namespace Comp.Api.Features.Datapoints;

public sealed class DatapointValidator : AbstractValidator<DatapointRequest>
{
    /// <summary>No annual cash amount above this is believable; it catches misplaced digits.</summary>
    public const decimal MaxAnnualCash = 100_000_000m;

    /// <summary>Grants vest over years and reach further: frontier-lab packages run to tens of millions.</summary>
    public const decimal MaxGrant = 2_000_000_000m;

    public static readonly DateOnly EarliestDate = new(1970, 1, 1);

    public DatapointValidator(ITaxonomy taxonomy, TimeProvider clock)
    {
        // One message per field: a missing value is not also reported as unknown.
        RuleLevelCascadeMode = CascadeMode.Stop;

        RuleFor(d => d.Employer).NotEmpty().MaximumLength(100)
            .Matches(Slugs.Pattern).WithMessage(Slugs.Message);
        RuleFor(d => d.EmployerName).MaximumLength(200);

        RuleFor(d => d.Role).NotEmpty().MustAsync(async (role, ct) => (await taxonomy.GetAsync(ct)).Roles.ContainsKey(role!))
            .WithMessage(d => $"Unknown role '{d.Role}'. The valid roles are listed at GET /v1/roles.");
        RuleFor(d => d.Level).MustAsync(async (level, ct) => (await taxonomy.GetAsync(ct)).Levels.ContainsKey(level!))
            .When(d => d.Level is not null)
            .WithMessage(d => $"Unknown level '{d.Level}'. The ladder levels L1–L9 are listed at GET /v1/levels.");
        RuleFor(d => d.EmployerLevel).NotEmpty().MaximumLength(50).When(d => d.EmployerLevel is not null);
        RuleFor(d => d.Region).NotEmpty().MustAsync(async (region, ct) => (await taxonomy.GetAsync(ct)).Regions.ContainsKey(region!))
            .WithMessage(d => $"Unknown region '{d.Region}'. The valid regions are listed at GET /v1/regions.");
        RuleFor(d => d.Currency).NotEmpty().Must(Currencies.IsKnown)
            .WithMessage(d => $"Unknown currency '{d.Currency}'. Give an ISO 4217 code in upper case, e.g. USD or EUR.");

        RuleFor(d => d.EffectiveDate).NotNull()
            .Must(date => date >= EarliestDate).WithMessage($"Must be on or after {EarliestDate:yyyy-MM-dd}.")
            .Must(date => date <= DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime)).WithMessage("Must not be in the future.");

        RuleFor(d => d.BaseSalary).NotNull().GreaterThan(0).LessThanOrEqualTo(MaxAnnualCash).Must(HaveCents)
            .WithMessage("Must have at most 2 decimal places.");
        Amount(d => d.TargetBonus, MaxAnnualCash);
        Amount(d => d.SignOnBonus, MaxAnnualCash);
        Amount(d => d.EquityGrant, MaxGrant);
        Amount(d => d.RetentionGrant, MaxGrant);
        RuleFor(d => d.EquityVestingYears).InclusiveBetween(1, 10);
        RuleFor(d => d.RetentionVestingYears).InclusiveBetween(1, 10);
        Schedule(d => d.EquityVestingSchedule, d => d.EquityVestingYears, "equityVestingSchedule", "equityVestingYears");
        Schedule(d => d.RetentionVestingSchedule, d => d.RetentionVestingYears, "retentionVestingSchedule", "retentionVestingYears");
        RuleFor(d => d.EquityBasis).Must(EquityBases.IsKnown).When(d => d.EquityBasis is not null)
            .WithMessage($"Must be one of: {string.Join(", ", EquityBases.All)}; leave it out when the basis is unknown.");
        RuleFor(d => d.PackageType).Must(PackageTypes.IsKnown).When(d => d.PackageType is not null)
            .WithMessage($"Must be one of: {string.Join(", ", PackageTypes.All)} (default {PackageTypes.Default}).");
        RuleFor(d => d.YearsOfExperience).InclusiveBetween(0, 70).Must(y => y is null || y == decimal.Round(y.Value, 1))
            .WithMessage("Must have at most 1 decimal place.");

        RuleFor(d => d.Source).NotEmpty().Must(DatapointSources.IsKnown)
            .WithMessage($"Must be one of: {string.Join(", ", DatapointSources.All)}.");
        RuleFor(d => d.SourceNote).MaximumLength(500);
    }

    /// <summary>
    /// A schedule by the rules of <see cref="Vesting.Problem"/>; its length sets the vesting years,
    /// so vesting years given beside it must equal its length, else both fields are named.
    /// </summary>
    private void Schedule(
        System.Linq.Expressions.Expression<Func<DatapointRequest, List<decimal>?>> schedule,
        System.Linq.Expressions.Expression<Func<DatapointRequest, int?>> years, string scheduleField, string yearsField)
    {
        var scheduleOf = schedule.Compile();
        var yearsOf = years.Compile();
        RuleFor(schedule).Custom((s, context) =>
        {
            if (s is not null && Vesting.Problem(s) is { } problem)
                context.AddFailure(problem);
        });
        bool Contradicts(DatapointRequest d) => scheduleOf(d) is { } s && yearsOf(d) is { } y and >= 1 and <= Vesting.MaxYears && Vesting.Problem(s) is null && s.Count != y;
        string Message(DatapointRequest d) =>
            $"{scheduleField} has {scheduleOf(d)!.Count} yearly percentages but {yearsField} is {yearsOf(d)}: a schedule's length is its vesting years. Give one of the two, or make them agree.";
        RuleFor(schedule).Must((d, _) => !Contradicts(d)).WithMessage(Message);
        RuleFor(years).Must((d, _) => !Contradicts(d)).WithMessage(Message);
    }

    private void Amount(System.Linq.Expressions.Expression<Func<DatapointRequest, decimal?>> amount, decimal max) =>
        RuleFor(amount).GreaterThanOrEqualTo(0).LessThanOrEqualTo(max).Must(HaveCents).WithMessage("Must have at most 2 decimal places.");

    private static bool HaveCents(decimal? amount) => amount is null || amount.Value == decimal.Round(amount.Value, 2);
}
