using System.Text.Json;

namespace Skylark.Events.Contracts.Payloads;

/// <summary>The JSON shape of every Skylark payload: camelCase, ISO-8601 times.</summary>
public static class ContractJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);
}
