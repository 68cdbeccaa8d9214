using System.Text.Json.Serialization;
using Comp.Api.Contracts;
using Comp.Api.Data;
using FluentValidation;
using Microsoft.EntityFrameworkCore;

namespace Comp.Api.Features.PeerGroups;

/// <summary>A new peer group: a name and either a list of employers or a rule over employer attributes.</summary>
public sealed record PeerGroupRequest
{
    /// <summary>The group's name, 1–200 characters.</summary>
    /// <example>Frontier labs</example>
    public string? Name { get; init; }

    /// <summary>Employer slugs (GET /v1/employers): a fixed list. Give this or <c>where</c>, not both.</summary>
    /// <example>["openai","anthropic","google-deepmind","meta","xai","mistral-ai","cohere","ai21-labs","inflection-ai","character-ai"]</example>
    public List<string?>? Employers { get; init; }

    /// <summary>A rule over employer attributes: the group is every employer that matches it when the group is used. Give this or <c>employers</c>, not both.</summary>
    public PeerGroupWhere? Where { get; init; }
}

/// <summary>
/// A peer group's rule. Each attribute is a list of values, any of which matches; the attributes
/// given combine (an employer must match each); an employer without an attribute the rule names
/// does not match. At least one attribute.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record PeerGroupWhere
{
    /// <summary>Industries from GET /v1/industries.</summary>
    /// <example>["ai-lab"]</example>
    public List<string?>? Industry { get; init; }

    /// <summary>Stages: public, private-late, private-growth, private-early, nonprofit, government.</summary>
    /// <example>["private-late","private-growth"]</example>
    public List<string?>? Stage { get; init; }

    /// <summary>Headcount bands: 1-50, 51-200, 201-1000, 1001-5000, 5001-20000, 20001-plus.</summary>
    public List<string?>? Headcount { get; init; }
}

/// <summary>
/// A saved peer group. <c>employers</c> are its members now: a list group's own, a rule's the
/// employers that match it today.
/// </summary>
/// <param name="Id">Use it as <c>peerGroup=</c> on any band route.</param>
/// <param name="Name">The group's name.</param>
/// <param name="Employers">The members' slugs, in slug order.</param>
/// <param name="Where">The rule, for a rule group; null for a list.</param>
/// <param name="CreatedAt">When the group was made.</param>
/// <param name="ApiKeyId">The key that made it: it and admin keys see the group.</param>
public sealed record PeerGroupResponse(Guid Id, string Name, IReadOnlyList<string> Employers, PeerGroupWhere? Where, DateTimeOffset CreatedAt, Guid ApiKeyId);

public sealed class PeerGroupRequestValidator : AbstractValidator<PeerGroupRequest>
{
    public PeerGroupRequestValidator(ITaxonomy taxonomyCache, IServiceScopeFactory scopes)
    {
        RuleFor(r => r.Name).Cascade(CascadeMode.Stop).NotEmpty().MaximumLength(PeerGroupLimits.MaxName);
        RuleFor(r => r.Employers).Custom((employers, context) =>
        {
            if (employers is null && context.InstanceToValidate.Where is null)
                context.AddFailure("Give employers (a list of employer slugs) or where (a rule over industry, stage and headcount).");
        });
        RuleFor(r => r.Where).Must((r, where) => where is null || r.Employers is null)
            .WithMessage("Give employers or where, not both: a group is a list or a rule.");

        RuleFor(r => r.Employers!).Cascade(CascadeMode.Stop)
            .NotEmpty()
            .Must(e => e.Count <= PeerGroupLimits.MaxEmployers).WithMessage($"At most {PeerGroupLimits.MaxEmployers:N0} employers.")
            .Must(e => e.All(s => !string.IsNullOrWhiteSpace(s))).WithMessage("Each employer is a slug (GET /v1/employers).")
            .CustomAsync(async (slugs, context, cancellationToken) =>
            {
                // Validators are singletons; the lookup takes a context of its own.
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<CompDbContext>();
                var wanted = slugs.Select(s => s!).Distinct().ToList();
                var known = await db.Employers.AsNoTracking().Where(e => wanted.Contains(e.Slug)).Select(e => e.Slug).ToListAsync(cancellationToken);
                var unknown = wanted.Where(s => !known.Contains(s)).ToList();
                if (unknown.Count > 0)
                    context.AddFailure($"Unknown employer(s): {string.Join(", ", unknown.Take(20))}. Employers are listed at GET /v1/employers.");
            })
            .When(r => r.Employers is not null);

        RuleFor(r => r.Where).CustomAsync(async (where, context, cancellationToken) =>
        {
            if (where is null)
                return;
            if (where.Industry is null && where.Stage is null && where.Headcount is null)
            {
                context.AddFailure("where", "Give at least one of industry, stage and headcount.");
                return;
            }
            var taxonomy = await taxonomyCache.GetAsync(cancellationToken);
            Values(where.Industry, context, v => taxonomy.Industries.ContainsKey(v), "industry", "The industries are listed at GET /v1/industries.");
            Values(where.Stage, context, EmployerAttributes.IsStage, "stage", $"Must be one of: {string.Join(", ", EmployerAttributes.Stages)}.");
            Values(where.Headcount, context, EmployerAttributes.IsHeadcount, "headcount", $"Must be one of: {string.Join(", ", EmployerAttributes.Headcounts)}.");
        });
    }

    /// <summary>An attribute of a rule: absent, or a non-empty list of known values.</summary>
    private static void Values(List<string?>? values, ValidationContext<PeerGroupRequest> context, Func<string, bool> known, string attribute, string where)
    {
        if (values is null)
            return;
        if (values.Count == 0)
            context.AddFailure("where." + attribute, $"Give at least one {attribute}, or leave {attribute} out.");
        else if (values.FindIndex(v => v is null || !known(v)) is var bad and >= 0)
            context.AddFailure("where." + attribute, $"Unknown {attribute} '{values[bad]}'. {where}");
    }
}
