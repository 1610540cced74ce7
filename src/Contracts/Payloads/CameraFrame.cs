namespace Skylark.Events.Contracts.Payloads;

/// <summary>Data of <c>io.skylark.camera.frame</c>. The pixels travel as a bundle (claim check); see the <c>statekey</c> extension.</summary>
public sealed record CameraFrame(string Camera, long Seq, int Width, int Height, DateTimeOffset CapturedAt);
