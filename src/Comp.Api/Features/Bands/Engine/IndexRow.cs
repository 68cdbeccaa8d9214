using System.Runtime.CompilerServices;

namespace Comp.Api.Features.Bands.Engine;

/// <summary>The values of a row's range columns (<see cref="IndexData.RangeColumns"/>), NaN when absent.</summary>
[InlineArray(4)]
internal struct RangeValues
{
    private float first;
}

/// <summary>One datapoint as the index stores it: codes for the dimensions, amounts as doubles.</summary>
internal struct IndexRow
{
    public Guid Id;
    public int EmployerId;
    public int Role;
    public int Level; // 0: no level; else 1 + the level's code
    public int Region;
    public int Currency;
    public int Source;
    public int Profile; // the code of its basis, package type and vesting in IndexData.Profiles
    public int Day; // days since 2000-01-01
    public bool Verified;
    public double Base;
    public double Bonus; // NaN when absent
    public double Equity; // the annual value (grant / vesting years), NaN when absent
    public double Retention; // the annual value, NaN when absent
    public double Signon; // NaN when absent
    public RangeValues Ranges; // by IndexData.RangeColumns
}
