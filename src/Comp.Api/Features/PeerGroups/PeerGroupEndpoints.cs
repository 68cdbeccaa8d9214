using System.Security.Claims;
using Comp.Api.Auth;
using Comp.Api.Contracts;
using Comp.Api.Data;
using Comp.Api.Infrastructure;
using Comp.Statistics;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Comp.Api.Features.PeerGroups;

/// <summary>
/// Saved peer groups (issue 18): made, listed, read and deleted by the key that owns them (admin
/// keys: all of them). A group is used as <c>peerGroup=</c> on the band routes. Two rules keep
/// groups from being used to isolate a few employers by differencing: a group has at least
/// <see cref="DisclosureRules.MinPeerGroupEmployers"/> employers, and differs from every other
/// existing group, whoever owns it, by at least <see cref="DisclosureRules.MinPeerGroupDifference"/>
/// (<see cref="Disclosure.PeerGroupDifference"/>); either refusal is a 409 naming the rule.
/// </summary>
public static class PeerGroupEndpoints
{
    public static IEndpointRouteBuilder MapPeerGroups(this IEndpointRouteBuilder app)
    {
        // A group belongs to a key: anonymous callers have none, even where anonymous reads are allowed.
        var group = app.MapGroup("/v1/peer-groups").WithTags("Peer groups").RequireAuthorization(Callers.KeyedRead);

        group.MapPost("/", Create)
            .WithJsonBody<PeerGroupRequest>()
            .Produces<PeerGroupResponse>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithName("CreatePeerGroup")
            .WithSummary("Save a peer group")
            .WithDescription("`{ \"name\", \"employers\": [slugs] }` saves a fixed list; `{ \"name\", \"where\": { \"industry\": [...], \"stage\": [...], \"headcount\": [...] } }` " +
                "a rule, whose members are the employers that match it whenever the group is used. The group needs at least " +
                "`Disclosure:MinPeerGroupEmployers` (10) employers, and must differ from every existing peer group (any key's) by at least " +
                "`Disclosure:MinPeerGroupDifference` (3) employers, counting those in one group and not the other; otherwise a 409 whose `rule` names the rule. " +
                "Returns 201 with the group, its current members and its Location; use its `id` as `peerGroup=` on the band routes.");

        group.MapGet("/", List)
            .WithName("ListPeerGroups")
            .WithSummary("List your peer groups")
            .WithDescription("The groups this key made, oldest first, each with its current members; an admin key sees every group.");

        group.MapGet("/{id:guid}", Get)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithName("GetPeerGroup")
            .WithSummary("Read a peer group")
            .WithDescription("The group with its current members (a rule's: the employers that match it now). 404 for a group of another key, as for none.");

        group.MapDelete("/{id:guid}", Delete)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithName("DeletePeerGroup")
            .WithSummary("Delete a peer group")
            .WithDescription("Deletes the group for good; its id is never given again, and band requests naming it are a 400. 404 for a group of another key, as for none.");
        return app;
    }

    public static async Task<Results<Created<PeerGroupResponse>, ProblemHttpResult>> Create(
        JsonBody<PeerGroupRequest> body, ClaimsPrincipal user, CompDbContext db, IOptionsMonitor<DisclosureRules> disclosure, CancellationToken cancellationToken)
    {
        var request = body.Value!;
        var rules = disclosure.CurrentValue;
        var strategy = db.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync(async ct =>
        {
            db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            // One creation at a time (the lock conflicts with itself and with deletes, not with reads):
            // two groups made together must each be checked against the other.
            await db.Database.ExecuteSqlRawAsync("LOCK TABLE peer_groups IN SHARE ROW EXCLUSIVE MODE", ct);
            var employers = await EmployersAsync(db, ct);
            var group = new PeerGroup
            {
                Id = Guid.CreateVersion7(),
                Name = request.Name!.Trim(),
                ApiKeyId = Callers.KeyId(user)!.Value,
                CreatedAt = DateTimeOffset.UtcNow,
            };
            if (request.Employers is { } slugs)
            {
                var bySlug = employers.ToDictionary(e => e.Slug, e => e.Id, StringComparer.Ordinal);
                group.EmployerIds = slugs.Select(s => bySlug[s!]).Distinct().Order().ToArray();
            }
            else
            {
                group.Industries = Values(request.Where!.Industry);
                group.Stages = Values(request.Where.Stage);
                group.Headcounts = Values(request.Where.Headcount);
            }

            // The rules read current membership: a rule group's members are today's matches, as they will be when it is used.
            var members = Members(group, employers);
            if (members.Count < rules.MinPeerGroupEmployers)
                return (Results<Created<PeerGroupResponse>, ProblemHttpResult>)Problems.Conflict(PeerGroupRules.TooSmall,
                    PeerGroupRules.TooSmallToSave(members.Count, rules), PeerGroupRules.MinEmployersKey);
            foreach (var other in await db.PeerGroups.AsNoTracking().ToListAsync(ct))
            {
                if (Disclosure.PeerGroupDifference(members, Members(other, employers)) < rules.MinPeerGroupDifference)
                    return Problems.Conflict(PeerGroupRules.TooSimilar, PeerGroupRules.TooSimilarToSave(rules), PeerGroupRules.MinDifferenceKey);
            }

            db.PeerGroups.Add(group);
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
            return TypedResults.Created($"/v1/peer-groups/{group.Id}", ToResponse(group, members, employers));
        }, cancellationToken);
    }

    public static async Task<Ok<List<PeerGroupResponse>>> List(ClaimsPrincipal user, CompDbContext db, CancellationToken cancellationToken)
    {
        var query = db.PeerGroups.AsNoTracking();
        if (!Callers.IsAdmin(user))
        {
            var keyId = Callers.KeyId(user);
            query = query.Where(g => g.ApiKeyId == keyId);
        }
        var groups = await query.OrderBy(g => g.CreatedAt).ThenBy(g => g.Id).ToListAsync(cancellationToken);
        var employers = groups.Count == 0 ? [] : await EmployersAsync(db, cancellationToken);
        return TypedResults.Ok(groups.Select(g => ToResponse(g, Members(g, employers), employers)).ToList());
    }

    /// <param name="id" example="019ae4c2-5b1e-7c3d-9a4f-2e6b8d0c1f3a">The group's id, from its 201 or the list.</param>
    /// <param name="user"></param>
    /// <param name="db"></param>
    /// <param name="cancellationToken"></param>
    public static async Task<Results<Ok<PeerGroupResponse>, ProblemHttpResult>> Get(Guid id, ClaimsPrincipal user, CompDbContext db, CancellationToken cancellationToken)
    {
        var group = await db.PeerGroups.AsNoTracking().FirstOrDefaultAsync(g => g.Id == id, cancellationToken);
        // Another key's group answers as a missing one: ids cannot be probed.
        if (group is null || !Callers.MaySee(user, group.ApiKeyId))
            return NotFound(id);
        var employers = await EmployersAsync(db, cancellationToken);
        return TypedResults.Ok(ToResponse(group, Members(group, employers), employers));
    }

    /// <param name="id" example="019ae4c2-5b1e-7c3d-9a4f-2e6b8d0c1f3a">The group to delete.</param>
    /// <param name="user"></param>
    /// <param name="db"></param>
    /// <param name="cancellationToken"></param>
    public static async Task<Results<NoContent, ProblemHttpResult>> Delete(Guid id, ClaimsPrincipal user, CompDbContext db, CancellationToken cancellationToken)
    {
        var query = db.PeerGroups.Where(g => g.Id == id);
        if (!Callers.IsAdmin(user))
        {
            var keyId = Callers.KeyId(user);
            query = query.Where(g => g.ApiKeyId == keyId);
        }
        return await query.ExecuteDeleteAsync(cancellationToken) == 0 ? NotFound(id) : TypedResults.NoContent();
    }

    private static ProblemHttpResult NotFound(Guid id) => Problems.NotFound($"No peer group {id} is visible to this key. Your groups are listed at GET /v1/peer-groups.");

    private sealed record EmployerRow(int Id, string Slug, string? Industry, string? Stage, string? Headcount);

    /// <summary>Every employer with its attributes, read from the database (not the taxonomy cache, which may lag another instance's change).</summary>
    private static Task<List<EmployerRow>> EmployersAsync(CompDbContext db, CancellationToken cancellationToken) =>
        db.Employers.AsNoTracking().OrderBy(e => e.Slug)
            .Select(e => new EmployerRow(e.Id, e.Slug, e.Industry, e.Stage, e.Headcount)).ToListAsync(cancellationToken);

    private static HashSet<int> Members(PeerGroup group, IEnumerable<EmployerRow> employers) =>
        group.EmployerIds is { } ids ? [.. ids] : [.. employers.Where(e => group.Matches(e.Industry, e.Stage, e.Headcount)).Select(e => e.Id)];

    private static string[]? Values(List<string?>? values) => values?.Select(v => v!).Distinct().Order(StringComparer.Ordinal).ToArray();

    private static PeerGroupResponse ToResponse(PeerGroup group, HashSet<int> members, List<EmployerRow> employers) => new(
        group.Id,
        group.Name,
        employers.Where(e => members.Contains(e.Id)).Select(e => e.Slug).ToList(),
        group.IsRule ? new PeerGroupWhere { Industry = group.Industries?.ToList<string?>(), Stage = group.Stages?.ToList<string?>(), Headcount = group.Headcounts?.ToList<string?>() } : null,
        group.CreatedAt,
        group.ApiKeyId);
}
