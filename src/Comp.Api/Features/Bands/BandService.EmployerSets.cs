using Comp.Api.Contracts;
using Comp.Api.Features.Bands.Engine;
using Comp.Api.Infrastructure;

namespace Comp.Api.Features.Bands;

/// <summary>
/// Ad hoc employer sets count as peer groups in the protected tier (issue 18): a cut over employers
/// chosen one by one — a comma list in <c>employer</c>, a <c>peerGroup</c>, an <c>excludeEmployer</c>
/// — needs at least <c>Disclosure:MinPeerGroupEmployers</c> employers, or two such sets a few
/// employers apart would isolate those few. The check reads only the set's size, which comes from
/// public taxonomy (slugs, attributes, the caller's own group), never from datapoints, so the 409
/// tells nothing about the data; it runs before any datapoint is read.
/// <para>
/// Cuts whose cells are each one employer's are exempt: <c>groupBy=employer</c> (every cell is one
/// employer's, the same release a single <c>employer=</c> reads) and an <c>employer</c> filter of one.
/// They publish no figure over the set, so there is nothing to difference.
/// </para>
/// </summary>
public sealed partial class BandService
{
    private void CheckEmployerSet(BandQuery query)
    {
        var disclosure = rules.CurrentValue;
        if (query.EmployerSet is { } employers && query.CellsSpanEmployers && employers < disclosure.MinPeerGroupEmployers)
            throw new ProblemException(StatusCodes.Status409Conflict, PeerGroupRules.TooSmall, new Dictionary<string, string[]>(),
                PeerGroupRules.SetTooSmall(employers, disclosure), PeerGroupRules.MinEmployersKey);
    }
}
