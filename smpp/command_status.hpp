// command_status.hpp: SMPP 3.4 command_status values (ESME_R*), their names, and how the
// session and the outbox should react to each.
//
// Purpose:   one table of the status codes we send or act on (SMPP 3.4 section 5.1.3), with
//            the spec name for logs and a classification (retry later / give up / fix the
//            bind credentials).
// Threading: pure functions over values; safe from any thread.
// Errors:    none; unknown and vendor-specific codes (0x400-0x4FF) are ordinary values.
// Ownership: n/a.
#pragma once

#include <cstdint>
#include <string>

namespace mfigw::smpp {

// The underlying type is the wire value, so a vendor code (0x00000400..0x000004FF) that is
// not listed here is still representable: static_cast<CommandStatus>(0x400).
enum class CommandStatus : std::uint32_t {
  Ok = 0x00,               // ESME_ROK
  InvMsgLen = 0x01,        // ESME_RINVMSGLEN: message length is invalid
  InvCmdLen = 0x02,        // ESME_RINVCMDLEN: command length is invalid
  InvCmdId = 0x03,         // ESME_RINVCMDID: invalid command id
  InvBndSts = 0x04,        // ESME_RINVBNDSTS: incorrect bind status for the command
  AlyBnd = 0x05,           // ESME_RALYBND: already bound
  InvPrtFlg = 0x06,        // ESME_RINVPRTFLG: invalid priority flag
  InvRegDlvFlg = 0x07,     // ESME_RINVREGDLVFLG: invalid registered_delivery flag
  SysErr = 0x08,           // ESME_RSYSERR: system error
  InvSrcAdr = 0x0A,        // ESME_RINVSRCADR
  InvDstAdr = 0x0B,        // ESME_RINVDSTADR
  InvMsgId = 0x0C,         // ESME_RINVMSGID
  BindFail = 0x0D,         // ESME_RBINDFAIL
  InvPaswd = 0x0E,         // ESME_RINVPASWD
  InvSysId = 0x0F,         // ESME_RINVSYSID
  CancelFail = 0x11,       // ESME_RCANCELFAIL
  ReplaceFail = 0x13,      // ESME_RREPLACEFAIL
  MsgQFul = 0x14,          // ESME_RMSGQFUL: message queue full
  InvSerTyp = 0x15,        // ESME_RINVSERTYP: invalid service_type
  InvNumDests = 0x33,      // ESME_RINVNUMDESTS
  InvDlName = 0x34,        // ESME_RINVDLNAME
  InvDestFlag = 0x40,      // ESME_RINVDESTFLAG
  InvSubRep = 0x42,        // ESME_RINVSUBREP
  InvEsmClass = 0x43,      // ESME_RINVESMCLASS
  CntSubDl = 0x44,         // ESME_RCNTSUBDL
  SubmitFail = 0x45,       // ESME_RSUBMITFAIL
  InvSrcTon = 0x48,        // ESME_RINVSRCTON
  InvSrcNpi = 0x49,        // ESME_RINVSRCNPI
  InvDstTon = 0x50,        // ESME_RINVDSTTON
  InvDstNpi = 0x51,        // ESME_RINVDSTNPI
  InvSysTyp = 0x53,        // ESME_RINVSYSTYP
  InvRepFlag = 0x54,       // ESME_RINVREPFLAG
  InvNumMsgs = 0x55,       // ESME_RINVNUMMSGS
  Throttled = 0x58,        // ESME_RTHROTTLED: over the granted rate
  InvSched = 0x61,         // ESME_RINVSCHED
  InvExpiry = 0x62,        // ESME_RINVEXPIRY
  InvDftMsgId = 0x63,      // ESME_RINVDFTMSGID
  XTAppn = 0x64,           // ESME_RX_T_APPN: receiver temporary application error
  XPAppn = 0x65,           // ESME_RX_P_APPN: receiver permanent application error
  XRAppn = 0x66,           // ESME_RX_R_APPN: receiver rejects the message
  QueryFail = 0x67,        // ESME_RQUERYFAIL
  InvOptParStream = 0xC0,  // ESME_RINVOPTPARSTREAM: error in the TLV part
  OptParNotAllwd = 0xC1,   // ESME_ROPTPARNOTALLWD
  InvParLen = 0xC2,        // ESME_RINVPARLEN: a TLV has the wrong length
  MissingOptParam = 0xC3,  // ESME_RMISSINGOPTPARAM
  InvOptParamVal = 0xC4,   // ESME_RINVOPTPARAMVAL
  DeliveryFailure = 0xFE,  // ESME_RDELIVERYFAILURE (data_sm_resp)
  UnknownErr = 0xFF,       // ESME_RUNKNOWNERR
};

// "ESME_RTHROTTLED"; an unlisted value gives "ESME_0x00000400" (vendor codes included).
std::string toString(CommandStatus status);

// How a sender should react to a response status.
enum class StatusClass {
  Ok,               // success
  Transient,        // retry later with back-off: queue full, throttled, system error, ...
  Permanent,        // retrying the same message cannot help: bad address, rejected, ...
  BindCredentials,  // bind refused for its credentials: reconnecting with them is pointless
};
std::string toString(StatusClass cls);

// Unlisted, reserved and vendor codes are Transient: the outbox bounds its retries, and
// treating an unknown code as permanent would silently drop a borrower's message.
StatusClass classify(CommandStatus status);

inline constexpr std::uint32_t toWire(CommandStatus status) {
  return static_cast<std::uint32_t>(status);
}

}  // namespace mfigw::smpp
