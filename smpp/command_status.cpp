#include "smpp/command_status.hpp"

#include <cstdio>

namespace mfigw::smpp {

namespace {

const char* knownName(CommandStatus status) {
  switch (status) {
    case CommandStatus::Ok:
      return "ESME_ROK";
    case CommandStatus::InvMsgLen:
      return "ESME_RINVMSGLEN";
    case CommandStatus::InvCmdLen:
      return "ESME_RINVCMDLEN";
    case CommandStatus::InvCmdId:
      return "ESME_RINVCMDID";
    case CommandStatus::InvBndSts:
      return "ESME_RINVBNDSTS";
    case CommandStatus::AlyBnd:
      return "ESME_RALYBND";
    case CommandStatus::InvPrtFlg:
      return "ESME_RINVPRTFLG";
    case CommandStatus::InvRegDlvFlg:
      return "ESME_RINVREGDLVFLG";
    case CommandStatus::SysErr:
      return "ESME_RSYSERR";
    case CommandStatus::InvSrcAdr:
      return "ESME_RINVSRCADR";
    case CommandStatus::InvDstAdr:
      return "ESME_RINVDSTADR";
    case CommandStatus::InvMsgId:
      return "ESME_RINVMSGID";
    case CommandStatus::BindFail:
      return "ESME_RBINDFAIL";
    case CommandStatus::InvPaswd:
      return "ESME_RINVPASWD";
    case CommandStatus::InvSysId:
      return "ESME_RINVSYSID";
    case CommandStatus::CancelFail:
      return "ESME_RCANCELFAIL";
    case CommandStatus::ReplaceFail:
      return "ESME_RREPLACEFAIL";
    case CommandStatus::MsgQFul:
      return "ESME_RMSGQFUL";
    case CommandStatus::InvSerTyp:
      return "ESME_RINVSERTYP";
    case CommandStatus::InvNumDests:
      return "ESME_RINVNUMDESTS";
    case CommandStatus::InvDlName:
      return "ESME_RINVDLNAME";
    case CommandStatus::InvDestFlag:
      return "ESME_RINVDESTFLAG";
    case CommandStatus::InvSubRep:
      return "ESME_RINVSUBREP";
    case CommandStatus::InvEsmClass:
      return "ESME_RINVESMCLASS";
    case CommandStatus::CntSubDl:
      return "ESME_RCNTSUBDL";
    case CommandStatus::SubmitFail:
      return "ESME_RSUBMITFAIL";
    case CommandStatus::InvSrcTon:
      return "ESME_RINVSRCTON";
    case CommandStatus::InvSrcNpi:
      return "ESME_RINVSRCNPI";
    case CommandStatus::InvDstTon:
      return "ESME_RINVDSTTON";
    case CommandStatus::InvDstNpi:
      return "ESME_RINVDSTNPI";
    case CommandStatus::InvSysTyp:
      return "ESME_RINVSYSTYP";
    case CommandStatus::InvRepFlag:
      return "ESME_RINVREPFLAG";
    case CommandStatus::InvNumMsgs:
      return "ESME_RINVNUMMSGS";
    case CommandStatus::Throttled:
      return "ESME_RTHROTTLED";
    case CommandStatus::InvSched:
      return "ESME_RINVSCHED";
    case CommandStatus::InvExpiry:
      return "ESME_RINVEXPIRY";
    case CommandStatus::InvDftMsgId:
      return "ESME_RINVDFTMSGID";
    case CommandStatus::XTAppn:
      return "ESME_RX_T_APPN";
    case CommandStatus::XPAppn:
      return "ESME_RX_P_APPN";
    case CommandStatus::XRAppn:
      return "ESME_RX_R_APPN";
    case CommandStatus::QueryFail:
      return "ESME_RQUERYFAIL";
    case CommandStatus::InvOptParStream:
      return "ESME_RINVOPTPARSTREAM";
    case CommandStatus::OptParNotAllwd:
      return "ESME_ROPTPARNOTALLWD";
    case CommandStatus::InvParLen:
      return "ESME_RINVPARLEN";
    case CommandStatus::MissingOptParam:
      return "ESME_RMISSINGOPTPARAM";
    case CommandStatus::InvOptParamVal:
      return "ESME_RINVOPTPARAMVAL";
    case CommandStatus::DeliveryFailure:
      return "ESME_RDELIVERYFAILURE";
    case CommandStatus::UnknownErr:
      return "ESME_RUNKNOWNERR";
  }
  return nullptr;
}

}  // namespace

std::string toString(CommandStatus status) {
  if (const char* name = knownName(status)) return name;
  char buf[24];
  std::snprintf(buf, sizeof buf, "ESME_0x%08X", toWire(status));
  return buf;
}

std::string toString(StatusClass cls) {
  switch (cls) {
    case StatusClass::Ok:
      return "ok";
    case StatusClass::Transient:
      return "transient";
    case StatusClass::Permanent:
      return "permanent";
    case StatusClass::BindCredentials:
      return "bind_credentials";
  }
  return "unknown";
}

StatusClass classify(CommandStatus status) {
  switch (status) {
    case CommandStatus::Ok:
      return StatusClass::Ok;
    // The SMSC is busy or our link state is off (a rebind fixes InvBndSts): try again.
    case CommandStatus::MsgQFul:
    case CommandStatus::Throttled:
    case CommandStatus::SysErr:
    case CommandStatus::XTAppn:
    case CommandStatus::InvBndSts:
    case CommandStatus::UnknownErr:
      return StatusClass::Transient;
    case CommandStatus::InvPaswd:
    case CommandStatus::InvSysId:
    case CommandStatus::BindFail:
      return StatusClass::BindCredentials;
    case CommandStatus::InvMsgLen:
    case CommandStatus::InvCmdLen:
    case CommandStatus::InvCmdId:
    case CommandStatus::AlyBnd:
    case CommandStatus::InvPrtFlg:
    case CommandStatus::InvRegDlvFlg:
    case CommandStatus::InvSrcAdr:
    case CommandStatus::InvDstAdr:
    case CommandStatus::InvMsgId:
    case CommandStatus::CancelFail:
    case CommandStatus::ReplaceFail:
    case CommandStatus::InvSerTyp:
    case CommandStatus::InvNumDests:
    case CommandStatus::InvDlName:
    case CommandStatus::InvDestFlag:
    case CommandStatus::InvSubRep:
    case CommandStatus::InvEsmClass:
    case CommandStatus::CntSubDl:
    case CommandStatus::SubmitFail:
    case CommandStatus::InvSrcTon:
    case CommandStatus::InvSrcNpi:
    case CommandStatus::InvDstTon:
    case CommandStatus::InvDstNpi:
    case CommandStatus::InvSysTyp:
    case CommandStatus::InvRepFlag:
    case CommandStatus::InvNumMsgs:
    case CommandStatus::InvSched:
    case CommandStatus::InvExpiry:
    case CommandStatus::InvDftMsgId:
    case CommandStatus::XPAppn:
    case CommandStatus::XRAppn:
    case CommandStatus::QueryFail:
    case CommandStatus::InvOptParStream:
    case CommandStatus::OptParNotAllwd:
    case CommandStatus::InvParLen:
    case CommandStatus::MissingOptParam:
    case CommandStatus::InvOptParamVal:
    case CommandStatus::DeliveryFailure:
      return StatusClass::Permanent;
  }
  return StatusClass::Transient;
}

}  // namespace mfigw::smpp
