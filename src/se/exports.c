/* se/exports.c: SeExports, the security constants ntoskrnl exports: the
 * privileges' LUIDs (SE_*_PRIVILEGE, {value, 0}) and the well-known SIDs,
 * as Windows fills them at boot. Drivers read them to build security
 * descriptors and to name privileges; ntbox has no tokens to check them
 * against yet. */
#include <ntifs.h>

/* A SID with room for the longest here (TrustedInstaller's six
 * subauthorities); only SubAuthorityCount of them count. */
struct se_sid {
    UCHAR revision, count;
    UCHAR authority[6];
    ULONG sub[6];
};

#define SE_SID(authority, count, ...) { SID_REVISION, count, { 0, 0, 0, 0, 0, authority }, { __VA_ARGS__ } }
#define SE_NT 5        /* SECURITY_NT_AUTHORITY */
#define SE_BUILTIN 32  /* SECURITY_BUILTIN_DOMAIN_RID */

static struct se_sid se_null = SE_SID(0, 1, 0),               /* S-1-0-0 */
    se_world = SE_SID(1, 1, 0),                                /* S-1-1-0 */
    se_local = SE_SID(2, 1, 0),                                /* S-1-2-0 */
    se_creator_owner = SE_SID(3, 1, 0),                        /* S-1-3-0 */
    se_creator_group = SE_SID(3, 1, 1),                        /* S-1-3-1 */
    se_owner_rights = SE_SID(3, 1, 4),                         /* S-1-3-4 */
    se_nt_authority = SE_SID(SE_NT, 0, 0),                     /* S-1-5 */
    se_dialup = SE_SID(SE_NT, 1, 1), se_network = SE_SID(SE_NT, 1, 2), se_batch = SE_SID(SE_NT, 1, 3),
    se_interactive = SE_SID(SE_NT, 1, 4), se_anonymous = SE_SID(SE_NT, 1, 7),
    se_authenticated_users = SE_SID(SE_NT, 1, 11), se_restricted = SE_SID(SE_NT, 1, 12),
    se_iuser = SE_SID(SE_NT, 1, 17), se_local_system = SE_SID(SE_NT, 1, 18), se_local_service = SE_SID(SE_NT, 1, 19),
    se_network_service = SE_SID(SE_NT, 1, 20),
    se_admins = SE_SID(SE_NT, 2, SE_BUILTIN, 544), se_users = SE_SID(SE_NT, 2, SE_BUILTIN, 545),
    se_guests = SE_SID(SE_NT, 2, SE_BUILTIN, 546), se_power_users = SE_SID(SE_NT, 2, SE_BUILTIN, 547),
    se_account_ops = SE_SID(SE_NT, 2, SE_BUILTIN, 548), se_system_ops = SE_SID(SE_NT, 2, SE_BUILTIN, 549),
    se_print_ops = SE_SID(SE_NT, 2, SE_BUILTIN, 550), se_backup_ops = SE_SID(SE_NT, 2, SE_BUILTIN, 551),
    se_user_mode_drivers = SE_SID(SE_NT, 6, 84, 0, 0, 0, 0, 0),          /* S-1-5-84-0-0-0-0-0 */
    se_trusted_installer = SE_SID(SE_NT, 6, 80, 956008885, 3418522649u, 1831038044, 1853292631, 2271478464u),
    se_all_app_packages = SE_SID(15, 2, 2, 1),                          /* S-1-15-2-1 */
    se_untrusted = SE_SID(16, 1, 0), se_low = SE_SID(16, 1, 0x1000),     /* S-1-16-<integrity level> */
    se_medium = SE_SID(16, 1, 0x2000), se_high = SE_SID(16, 1, 0x3000), se_system = SE_SID(16, 1, 0x4000),
    se_proc_trust_win_tcb = SE_SID(19, 2, 1024, 8192);                  /* S-1-19-1024-8192 */

#define SE_PRIVILEGE(value) { value, 0 }

static SE_EXPORTS se_exports = {
    .SeCreateTokenPrivilege = SE_PRIVILEGE(2),
    .SeAssignPrimaryTokenPrivilege = SE_PRIVILEGE(3),
    .SeLockMemoryPrivilege = SE_PRIVILEGE(4),
    .SeIncreaseQuotaPrivilege = SE_PRIVILEGE(5),
    .SeUnsolicitedInputPrivilege = SE_PRIVILEGE(6),
    .SeTcbPrivilege = SE_PRIVILEGE(7),
    .SeSecurityPrivilege = SE_PRIVILEGE(8),
    .SeTakeOwnershipPrivilege = SE_PRIVILEGE(9),
    .SeLoadDriverPrivilege = SE_PRIVILEGE(10),
    .SeSystemProfilePrivilege = SE_PRIVILEGE(11),
    .SeSystemtimePrivilege = SE_PRIVILEGE(12),
    .SeProfileSingleProcessPrivilege = SE_PRIVILEGE(13),
    .SeIncreaseBasePriorityPrivilege = SE_PRIVILEGE(14),
    .SeCreatePagefilePrivilege = SE_PRIVILEGE(15),
    .SeCreatePermanentPrivilege = SE_PRIVILEGE(16),
    .SeBackupPrivilege = SE_PRIVILEGE(17),
    .SeRestorePrivilege = SE_PRIVILEGE(18),
    .SeShutdownPrivilege = SE_PRIVILEGE(19),
    .SeDebugPrivilege = SE_PRIVILEGE(20),
    .SeAuditPrivilege = SE_PRIVILEGE(21),
    .SeSystemEnvironmentPrivilege = SE_PRIVILEGE(22),
    .SeChangeNotifyPrivilege = SE_PRIVILEGE(23),
    .SeRemoteShutdownPrivilege = SE_PRIVILEGE(24),
    .SeNullSid = &se_null,
    .SeWorldSid = &se_world,
    .SeLocalSid = &se_local,
    .SeCreatorOwnerSid = &se_creator_owner,
    .SeCreatorGroupSid = &se_creator_group,
    .SeNtAuthoritySid = &se_nt_authority,
    .SeDialupSid = &se_dialup,
    .SeNetworkSid = &se_network,
    .SeBatchSid = &se_batch,
    .SeInteractiveSid = &se_interactive,
    .SeLocalSystemSid = &se_local_system,
    .SeAliasAdminsSid = &se_admins,
    .SeAliasUsersSid = &se_users,
    .SeAliasGuestsSid = &se_guests,
    .SeAliasPowerUsersSid = &se_power_users,
    .SeAliasAccountOpsSid = &se_account_ops,
    .SeAliasSystemOpsSid = &se_system_ops,
    .SeAliasPrintOpsSid = &se_print_ops,
    .SeAliasBackupOpsSid = &se_backup_ops,
    .SeAuthenticatedUsersSid = &se_authenticated_users,
    .SeRestrictedSid = &se_restricted,
    .SeAnonymousLogonSid = &se_anonymous,
    .SeUndockPrivilege = SE_PRIVILEGE(25),
    .SeSyncAgentPrivilege = SE_PRIVILEGE(26),
    .SeEnableDelegationPrivilege = SE_PRIVILEGE(27),
    .SeLocalServiceSid = &se_local_service,
    .SeNetworkServiceSid = &se_network_service,
    .SeManageVolumePrivilege = SE_PRIVILEGE(28),
    .SeImpersonatePrivilege = SE_PRIVILEGE(29),
    .SeCreateGlobalPrivilege = SE_PRIVILEGE(30),
    .SeTrustedCredManAccessPrivilege = SE_PRIVILEGE(31),
    .SeRelabelPrivilege = SE_PRIVILEGE(32),
    .SeIncreaseWorkingSetPrivilege = SE_PRIVILEGE(33),
    .SeTimeZonePrivilege = SE_PRIVILEGE(34),
    .SeCreateSymbolicLinkPrivilege = SE_PRIVILEGE(35),
    .SeIUserSid = &se_iuser,
    .SeUntrustedMandatorySid = &se_untrusted,
    .SeLowMandatorySid = &se_low,
    .SeMediumMandatorySid = &se_medium,
    .SeHighMandatorySid = &se_high,
    .SeSystemMandatorySid = &se_system,
    .SeOwnerRightsSid = &se_owner_rights,
    .SeAllAppPackagesSid = &se_all_app_packages,
    .SeUserModeDriversSid = &se_user_mode_drivers,
    .SeProcTrustWinTcbSid = &se_proc_trust_win_tcb,
    .SeTrustedInstallerSid = &se_trusted_installer,
    .SeDelegateSessionUserImpersonatePrivilege = SE_PRIVILEGE(36),
};

NTKERNELAPI PSE_EXPORTS SeExports = &se_exports;
