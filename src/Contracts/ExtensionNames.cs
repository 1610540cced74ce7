namespace Skylark.Events.Contracts;

/// <summary>CloudEvent extension attribute names of the Skylark contract.</summary>
public static class ExtensionNames
{
    public const string WorkflowId = "workflowid";
    public const string Camera = "camera";
    public const string StateKey = "statekey";
    public const string StateNode = "statenode";
    public const string Function = "function";
    public const string Node = "node";
    public const string Detected = "detected";
    public const string TargetNode = "targetnode";
}
