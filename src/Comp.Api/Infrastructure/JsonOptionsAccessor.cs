using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace Comp.Api.Infrastructure;

/// <summary>The API's JSON settings, for handlers that serialize a body themselves (idempotency records).</summary>
public sealed class JsonOptionsAccessor(IOptions<JsonOptions> options)
{
    public JsonSerializerOptions Options => options.Value.SerializerOptions;
}
