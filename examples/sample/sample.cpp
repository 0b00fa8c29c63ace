// The sample driver from the seed notes ("Windows kernel Programming",
// Dynamic memory allocation: Sample code), byte for byte below this comment.
// It has two bugs ntbox finds: ExAllocatePool2 is given a POOL_TYPE
// (PagedPool) where it takes POOL_FLAGS, and DriverUnload never frees
// g_RegistryPath. examples/sample-fixed/ corrects the first only.
#include <ntddk.h>
#include <ntstatus.h>
#include <wdm.h>
#define DRIVER_TAG 'dcba'

void SampleUnload(_In_ PDRIVER_OBJECT DriverObject) {
	UNREFERENCED_PARAMETER(DriverObject);
	DbgPrint(("Sample Driver Unload called\n"));
}

UNICODE_STRING g_RegistryPath;
extern "C" NTSTATUS
DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath) {
	UNREFERENCED_PARAMETER(RegistryPath);

	DriverObject->DriverUnload = SampleUnload;
	DbgPrint(("Sample driver initialized successfully\n"));
	g_RegistryPath.Buffer = (WCHAR*)ExAllocatePool2(PagedPool, RegistryPath->Length, DRIVER_TAG);
	if (g_RegistryPath.Buffer == nullptr) {
		DbgPrint(("Failed to allocate memory\n"));
		return STATUS_INSUFFICIENT_RESOURCES;
	}
	g_RegistryPath.MaximumLength = RegistryPath->Length;
	RtlCopyUnicodeString(&g_RegistryPath, (PUNICODE_STRING)RegistryPath);
	DbgPrint(("Original registry path: %wZ\n"),RegistryPath);
	DbgPrint(("Copied registry path: %wZ\n"), &g_RegistryPath);

	
	OSVERSIONINFOW osv = {0};
	osv.dwOSVersionInfoSize = sizeof(OSVERSIONINFOW);
	if (NT_SUCCESS(RtlGetVersion(_Out_ &osv))) {
		DbgPrint(("OS Major Version:%lu\n"), osv.dwMajorVersion);
		DbgPrint(("OS Minor Version:%lu\n"), osv.dwMinorVersion);
		DbgPrint(("OS build Number:%lu\n"), osv.dwBuildNumber);
	}

	return STATUS_SUCCESS;
}
